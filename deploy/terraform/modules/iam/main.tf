# One Google service account per Atlas component, each bound to that
# component's Kubernetes service account through Workload Identity, each with
# only the roles its process uses:
#
#   component        Cloud SQL (Auth Proxy + IAM login)   Managed Kafka
#   api              yes                                  no  (serve talks to Postgres only)
#   worker           yes                                  yes (publishes the outbox)
#   audit-consumer   yes                                  yes
#   indexer          yes                                  yes (Elasticsearch is not a Google API)
#   migrate          yes                                  no
#
# No component reads Secret Manager (the secrets reach pods as a Kubernetes
# Secret) and none writes logs or metrics through its own identity (GKE's
# agents and Managed Prometheus do that).

locals {
  components = {
    api              = { id = "api", roles = ["roles/cloudsql.client", "roles/cloudsql.instanceUser"] }
    worker           = { id = "worker", roles = ["roles/cloudsql.client", "roles/cloudsql.instanceUser", "roles/managedkafka.client"] }
    "audit-consumer" = { id = "audit", roles = ["roles/cloudsql.client", "roles/cloudsql.instanceUser", "roles/managedkafka.client"] }
    indexer          = { id = "indexer", roles = ["roles/cloudsql.client", "roles/cloudsql.instanceUser", "roles/managedkafka.client"] }
    migrate          = { id = "migrate", roles = ["roles/cloudsql.client", "roles/cloudsql.instanceUser"] }
  }
  grants = merge([
    for name, c in local.components : {
      for role in c.roles : "${name} ${role}" => { component = name, role = role }
    }
  ]...)
}

resource "google_service_account" "component" {
  for_each     = local.components
  project      = var.project_id
  account_id   = "${var.prefix}-${each.value.id}"
  display_name = "Atlas ${each.key}"
  description  = "Runs atlas ${each.key} (Kubernetes service account ${var.namespace}/${var.kubernetes_service_accounts[each.key]})."
}

resource "google_project_iam_member" "component" {
  for_each = local.grants
  project  = var.project_id
  role     = each.value.role
  member   = "serviceAccount:${google_service_account.component[each.value.component].email}"
}

# The pod's Kubernetes service account may act as its Google service account.
resource "google_service_account_iam_member" "workload_identity" {
  for_each           = local.components
  service_account_id = google_service_account.component[each.key].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.workload_identity_pool}[${var.namespace}/${var.kubernetes_service_accounts[each.key]}]"
}
