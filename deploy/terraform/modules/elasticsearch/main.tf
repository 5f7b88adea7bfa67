# Elasticsearch on Elastic Cloud (hosted on Google Cloud, same region),
# reached privately over Private Service Connect: an internal address in
# Atlas' subnet forwards to Elastic's service attachment, a private DNS zone
# resolves the deployment's PSC host name to it, and a traffic filter admits
# only this endpoint. deploy/README.md says why Elastic Cloud and not ECK.

locals {
  ec_region = "gcp-${var.region}"
}

data "ec_stack" "this" {
  version_regex = var.stack_version_regex
  region        = local.ec_region
}

data "ec_gcp_private_service_connect_endpoint" "this" {
  region = var.region
}

resource "google_compute_address" "psc" {
  project      = var.project_id
  name         = "${var.name}-psc"
  region       = var.region
  subnetwork   = var.subnet_id
  address_type = "INTERNAL"
}

resource "google_compute_forwarding_rule" "psc" {
  project               = var.project_id
  name                  = "${var.name}-psc"
  region                = var.region
  network               = var.network_id
  ip_address            = google_compute_address.psc.id
  target                = data.ec_gcp_private_service_connect_endpoint.this.service_attachment_uri
  load_balancing_scheme = ""
}

resource "google_dns_managed_zone" "psc" {
  project     = var.project_id
  name        = "${var.name}-psc"
  dns_name    = "${data.ec_gcp_private_service_connect_endpoint.this.domain_name}."
  description = "Elastic Cloud over Private Service Connect"
  visibility  = "private"

  private_visibility_config {
    networks {
      network_url = var.network_id
    }
  }
}

resource "google_dns_record_set" "psc" {
  project      = var.project_id
  managed_zone = google_dns_managed_zone.psc.name
  name         = "*.${google_dns_managed_zone.psc.dns_name}"
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_address.psc.address]
}

resource "ec_deployment_traffic_filter" "psc" {
  name   = "${var.name}-psc"
  region = local.ec_region
  type   = "gcp_private_service_connect_endpoint"

  rule {
    source = google_compute_forwarding_rule.psc.psc_connection_id
  }
}

resource "ec_deployment" "this" {
  name                   = var.name
  region                 = local.ec_region
  version                = data.ec_stack.this.version
  deployment_template_id = var.deployment_template_id
  traffic_filter         = [ec_deployment_traffic_filter.psc.id]

  elasticsearch = {
    hot = {
      size        = var.hot_size
      zone_count  = var.zone_count
      autoscaling = {}
    }
  }

  kibana = {
    size       = "1g"
    zone_count = 1
  }
}
