output "name" {
  description = "Cluster name (gcloud container clusters get-credentials NAME --region REGION)."
  value       = google_container_cluster.this.name
}

output "location" {
  description = "Cluster region."
  value       = google_container_cluster.this.location
}

output "endpoint" {
  description = "Control plane address."
  value       = google_container_cluster.this.endpoint
  sensitive   = true
}

output "workload_identity_pool" {
  description = "Workload Identity pool of the cluster (PROJECT.svc.id.goog)."
  # Autopilot turns Workload Identity on by itself, and the pool of a
  # project's clusters is always PROJECT.svc.id.goog: named here rather than
  # read from workload_identity_config, a block this configuration leaves to
  # Autopilot (an empty list until the provider reads the cluster back).
  value = "${google_container_cluster.this.project}.svc.id.goog"
}

output "node_service_account" {
  description = "Email of the nodes' service account (the registry grants it image pulls)."
  value       = google_service_account.nodes.email
}
