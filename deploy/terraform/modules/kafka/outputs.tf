output "bootstrap_address" {
  description = "host:port of the bootstrap servers (SASL_SSL on 9092): ATLAS_KAFKA_BROKERS."
  # The API documents the SASL port separately; append it when the address lacks one.
  value = (length(regexall(":[0-9]+$", google_managed_kafka_cluster.this.bootstrap_address)) > 0
    ? google_managed_kafka_cluster.this.bootstrap_address
  : "${google_managed_kafka_cluster.this.bootstrap_address}:9092")
}

output "cluster_name" {
  description = "Full resource name of the cluster."
  value       = google_managed_kafka_cluster.this.name
}

output "topics" {
  description = "The topics created, by name."
  value       = sort(keys(google_managed_kafka_topic.this))
}
