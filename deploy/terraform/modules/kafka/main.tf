# Google Cloud Managed Service for Apache Kafka and Atlas' topics. Clients
# connect over SASL_SSL on port 9092 with OAUTHBEARER or PLAIN (Google
# credentials) and need roles/managedkafka.client (the iam module grants it
# to the components that talk to Kafka). The topics are created here, so
# Atlas' own create-when-missing at start-up finds them present.

locals {
  topics = {
    # The domain events: ordered per aggregate (the key), consumed by the
    # audit consumer and the indexer.
    "atlas.events.v1" = {
      partitions = var.events_partitions
      configs = {
        "cleanup.policy"      = "delete"
        "retention.ms"        = tostring(var.events_retention_ms)
        "min.insync.replicas" = "2"
      }
    }
    # Records the consumers could not decode, kept for repair and replay.
    "atlas.events.dlq.v1" = {
      partitions = 3
      configs = {
        "cleanup.policy"      = "delete"
        "retention.ms"        = tostring(var.dlq_retention_ms)
        "min.insync.replicas" = "2"
      }
    }
    # The audit chain's checkpoints: only the latest per key matters.
    "atlas.audit.checkpoints.v1" = {
      partitions = 1
      configs = {
        "cleanup.policy"      = "compact"
        "min.insync.replicas" = "2"
      }
    }
  }
}

resource "google_managed_kafka_cluster" "this" {
  project    = var.project_id
  cluster_id = var.cluster_id
  location   = var.region
  labels     = var.labels

  capacity_config {
    vcpu_count   = var.vcpu_count
    memory_bytes = var.memory_gib * 1024 * 1024 * 1024
  }

  gcp_config {
    access_config {
      network_configs {
        subnet = var.subnet_id
      }
    }
    kms_key = var.kms_key == "" ? null : var.kms_key
  }

  rebalance_config {
    mode = "AUTO_REBALANCE_ON_SCALE_UP"
  }
}

resource "google_managed_kafka_topic" "this" {
  for_each           = local.topics
  project            = var.project_id
  location           = var.region
  cluster            = google_managed_kafka_cluster.this.cluster_id
  topic_id           = each.key
  partition_count    = each.value.partitions
  replication_factor = 3
  configs            = each.value.configs
}
