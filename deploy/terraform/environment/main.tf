# Atlas on Google Cloud, one environment: the modules wired together. Staging
# and production are this same definition with other values: envs/<name>/env.tfvars
# chooses the sizes, envs/<name>/backend.tfbackend the state prefix.

locals {
  name   = "atlas-${var.environment}"
  labels = { app = "atlas", environment = var.environment }
}

module "network" {
  source     = "../modules/network"
  project_id = var.project_id
  region     = var.region
  name       = local.name
}

module "gke" {
  source              = "../modules/gke"
  project_id          = var.project_id
  region              = var.region
  name                = local.name
  network_id          = module.network.network_id
  subnet_id           = module.network.subnet_id
  pods_range_name     = module.network.pods_range_name
  services_range_name = module.network.services_range_name
  release_channel     = var.release_channel
  authorized_networks = var.authorized_networks
  deletion_protection = var.deletion_protection
  labels              = local.labels
}

module "registry" {
  source         = "../modules/registry"
  project_id     = var.project_id
  region         = var.region
  reader_members = ["serviceAccount:${module.gke.node_service_account}"]
  writer_members = var.ci_service_account == "" ? [] : ["serviceAccount:${var.ci_service_account}"]
  labels         = local.labels
}

# Binary Authorization: only images the release pipeline attested (after its
# scans and signature checks) run on the cluster, when required.
module "binauthz" {
  source                  = "../modules/binauthz"
  count                   = var.require_attested_images ? 1 : 0
  project_id              = var.project_id
  region                  = var.region
  cluster                 = "${module.gke.location}.${module.gke.name}"
  release_service_account = var.ci_service_account
}

# The chart's names for the release, which the Workload Identity bindings need.
module "helm_values" {
  source                   = "../modules/helm-values"
  project_id               = var.project_id
  otlp_endpoint            = var.otlp_endpoint
  release_name             = var.release_name
  image_repository         = module.registry.image
  image_tag                = var.image_tag
  image_digest             = var.image_digest
  kafka_brokers            = module.kafka.bootstrap_address
  elasticsearch_url        = module.elasticsearch.url
  cloudsql_connection_name = module.cloudsql.connection_name
  service_account_emails   = module.iam.emails
  host                     = var.host
  ingress_address_name     = module.network.ingress_address_name
  replicas                 = var.replicas
  db_max_conns             = var.db_max_conns
  admin_emails             = var.admin_emails
}

module "iam" {
  source                      = "../modules/iam"
  project_id                  = var.project_id
  prefix                      = var.short_name
  workload_identity_pool      = module.gke.workload_identity_pool
  namespace                   = var.namespace
  kubernetes_service_accounts = module.helm_values.kubernetes_service_accounts
}

module "cloudsql" {
  source               = "../modules/cloudsql"
  project_id           = var.project_id
  region               = var.region
  name                 = local.name
  private_network      = module.network.private_services_network
  tier                 = var.sql_tier
  high_availability    = var.sql_high_availability
  disk_size_gb         = var.sql_disk_size_gb
  max_connections      = var.sql_max_connections
  retained_backups     = var.sql_retained_backups
  deletion_protection  = var.deletion_protection
  iam_service_accounts = values(module.iam.emails)
  labels               = local.labels
}

module "kafka" {
  source     = "../modules/kafka"
  project_id = var.project_id
  region     = var.region
  cluster_id = local.name
  subnet_id  = module.network.subnet_id
  vcpu_count = var.kafka_vcpu
  memory_gib = var.kafka_memory_gib
  labels     = local.labels
}

module "elasticsearch" {
  source     = "../modules/elasticsearch"
  project_id = var.project_id
  region     = var.region
  name       = local.name
  network_id = module.network.network_id
  subnet_id  = module.network.subnet_id
  hot_size   = var.elasticsearch_size
  zone_count = var.elasticsearch_zones
}

module "secrets" {
  source     = "../modules/secrets"
  project_id = var.project_id
  prefix     = local.name
  accessors  = var.operators
  labels     = local.labels
}

module "observability" {
  source                = "../modules/observability"
  project_id            = var.project_id
  environment           = var.environment
  host                  = var.host
  runbook_url           = var.runbook_url
  alert_emails          = var.alert_emails
  notification_channels = var.notification_channels
  labels                = local.labels
}
