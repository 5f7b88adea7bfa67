# Production: a database standby in a second zone, two Elasticsearch zones,
# two or more replicas of every process spread over zones, deletion
# protection, only attested images. Your own settings go in terraform.tfvars
# beside this.
environment             = "production"
short_name              = "atlas-prd"
require_attested_images = true

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
