# Staging: the smallest sizes that run Atlas the way production does (same
# definition, deploy/terraform/environment), without high availability or
# deletion protection. Your own settings go in terraform.tfvars beside this.
environment             = "staging"
short_name              = "atlas-stg"
require_attested_images = false

release_channel       = "REGULAR"
sql_tier              = "db-custom-1-3840"
sql_high_availability = false
sql_disk_size_gb      = 20
sql_max_connections   = 100
sql_retained_backups  = 7
kafka_vcpu            = 3
kafka_memory_gib      = 3
elasticsearch_size    = "2g"
elasticsearch_zones   = 1
replicas              = { api = 1, worker = 1, auditConsumer = 1, indexer = 1 }
db_max_conns          = 10
deletion_protection   = false
