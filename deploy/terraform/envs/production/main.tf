# Production: a database standby in a second zone, two Elasticsearch zones,
# two replicas of every process spread over zones, deletion protection.
module "atlas" {
  source = "../../modules/stack"

  project_id              = var.project_id
  region                  = var.region
  environment             = "production"
  short_name              = "atlas-prd"
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

  release_channel       = "STABLE"
  sql_tier              = "db-custom-2-7680"
  sql_high_availability = true
  sql_disk_size_gb      = 50
  sql_max_connections   = 200
  sql_retained_backups  = 30
  kafka_vcpu            = 3
  kafka_memory_gib      = 12
  elasticsearch_size    = "4g"
  elasticsearch_zones   = 2
  replicas              = { api = 3, worker = 2, auditConsumer = 2, indexer = 2 }
  db_max_conns          = 15
  deletion_protection   = true
}
