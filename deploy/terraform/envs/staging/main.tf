# Staging: the smallest sizes that run Atlas the way production does (same
# modules, same topology), without high availability or deletion protection.
module "atlas" {
  source = "../../modules/stack"

  project_id              = var.project_id
  region                  = var.region
  environment             = "staging"
  short_name              = "atlas-stg"
  host                    = var.host
  runbook_url             = var.runbook_url
  alert_emails            = var.alert_emails
  image_digest            = var.image_digest
  ci_service_account      = var.ci_service_account
  authorized_networks     = var.authorized_networks
  secret_accessors        = var.operators
  admin_emails            = var.admin_emails
  otlp_endpoint           = var.otlp_endpoint
  require_attested_images = var.require_attested_images

  release_channel       = "REGULAR"
  sql_tier              = "db-custom-1-3840"
  sql_high_availability = false
  sql_max_connections   = 100
  sql_retained_backups  = 7
  kafka_vcpu            = 3
  kafka_memory_gib      = 3
  elasticsearch_size    = "2g"
  elasticsearch_zones   = 1
  replicas              = { api = 1, worker = 1, auditConsumer = 1, indexer = 1 }
  db_max_conns          = 10
  deletion_protection   = false
}
