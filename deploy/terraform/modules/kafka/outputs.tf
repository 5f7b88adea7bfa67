output "bootstrap_address" {
  description = "host:port of the bootstrap servers (SASL_SSL on 9092): ATLAS_KAFKA_BROKERS."
  # The cluster resource exports no address; Google names the bootstrap
  # servers of every cluster bootstrap.CLUSTER.REGION.managedkafka.PROJECT.cloud.goog
  # (a DNS name in the cluster's subnet). Built from the resource so that
  # what uses the address waits for the cluster.
  value = format("bootstrap.%s.%s.managedkafka.%s.cloud.goog:9092", google_managed_kafka_cluster.this.cluster_id,
  google_managed_kafka_cluster.this.location, google_managed_kafka_cluster.this.project)
}

output "cluster_name" {
  description = "Full resource name of the cluster."
  value       = google_managed_kafka_cluster.this.name
}

output "topics" {
  description = "The topics created, by name."
  value       = sort(keys(google_managed_kafka_topic.this))
}
