# A GKE Autopilot cluster: Google runs the nodes, bills by Pod requests and
# enforces its own Pod security rules (scripts/deploy check renders the chart
# and checks it against them). Private nodes with no external IP (egress
# through Cloud NAT), Workload Identity (on by default in Autopilot), Google
# Managed Prometheus for the PodMonitoring resources of the chart.

# The nodes' own identity: only what a node needs (logs, metrics, image pulls
# are granted on the repository by the registry module), not the default
# Compute Engine account with Editor.
resource "google_service_account" "nodes" {
  project      = var.project_id
  account_id   = "${substr(var.name, 0, 23)}-nodes"
  display_name = "GKE nodes of ${var.name}"
}

resource "google_project_iam_member" "nodes" {
  project = var.project_id
  role    = "roles/container.defaultNodeServiceAccount"
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_container_cluster" "this" {
  # checkov:skip=CKV_GCP_12:Autopilot enforces NetworkPolicy with Dataplane V2 (datapath_provider below) and rejects the Calico network_policy block this check looks for.
  # checkov:skip=CKV_GCP_61:Autopilot manages intranode visibility itself (the setting is not configurable on Autopilot); the subnet has VPC flow logs (network module).
  # checkov:skip=CKV_GCP_69:Autopilot always runs the GKE metadata server for Workload Identity; node_config.workload_metadata_config is not settable on Autopilot.
  # checkov:skip=CKV_GCP_65:Google Groups for RBAC needs a Google Workspace or Cloud Identity domain this configuration cannot assume; access is by IAM roles.
  project  = var.project_id
  name     = var.name
  location = var.region

  enable_autopilot = true
  # Dataplane V2 (Cilium): enforces the chart's NetworkPolicy. Autopilot's only datapath.
  datapath_provider   = "ADVANCED_DATAPATH"
  deletion_protection = var.deletion_protection
  resource_labels     = var.labels

  network    = var.network_id
  subnetwork = var.subnet_id
  ip_allocation_policy {
    cluster_secondary_range_name  = var.pods_range_name
    services_secondary_range_name = var.services_range_name
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = var.master_ipv4_cidr_block
    master_global_access_config {
      enabled = true
    }
  }

  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.authorized_networks
      content {
        cidr_block   = cidr_blocks.value.cidr
        display_name = cidr_blocks.value.name
      }
    }
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  release_channel {
    channel = var.release_channel
  }

  maintenance_policy {
    recurring_window {
      start_time = var.maintenance_start_time
      end_time   = var.maintenance_end_time
      recurrence = var.maintenance_recurrence
    }
  }

  cluster_autoscaling {
    auto_provisioning_defaults {
      service_account = google_service_account.nodes.email
      oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    }
  }

  binary_authorization {
    evaluation_mode = var.binary_authorization_mode
  }

  dynamic "database_encryption" {
    for_each = var.database_encryption_key == "" ? [] : [var.database_encryption_key]
    content {
      state    = "ENCRYPTED"
      key_name = database_encryption.value
    }
  }

  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]
  }

  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS"]
    managed_prometheus {
      enabled = true
    }
  }

  security_posture_config {
    mode               = "BASIC"
    vulnerability_mode = "VULNERABILITY_BASIC"
  }

  depends_on = [google_project_iam_member.nodes]
}
