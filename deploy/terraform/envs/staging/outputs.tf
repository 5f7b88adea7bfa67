output "helm_values" {
  description = "Helm values for Atlas on this environment: terraform output -raw helm_values > values-gcp.yaml."
  value       = module.atlas.helm_values
}

output "cluster_name" {
  description = "GKE cluster name."
  value       = module.atlas.cluster_name
}

output "region" {
  description = "Region of the environment."
  value       = module.atlas.region
}

output "image_repository" {
  description = "Where to push Atlas' image."
  value       = module.atlas.image_repository
}

output "cloudsql_instance" {
  description = "Cloud SQL instance name."
  value       = module.atlas.cloudsql_instance
}

output "kafka_bootstrap" {
  description = "Kafka bootstrap servers."
  value       = module.atlas.kafka_bootstrap
}

output "elasticsearch_url" {
  description = "Elasticsearch URL."
  value       = module.atlas.elasticsearch_url
}

output "elasticsearch_password" {
  description = "Elastic Cloud superuser password."
  value       = module.atlas.elasticsearch_password
  sensitive   = true
}

output "secret_ids" {
  description = "Secret Manager ids by Atlas secret key."
  value       = module.atlas.secret_ids
}

output "ingress_address" {
  description = "Load balancer IP for the host's A record."
  value       = module.atlas.ingress_address
}

output "kubernetes_service_accounts" {
  description = "Kubernetes service accounts bound by Workload Identity."
  value       = module.atlas.kubernetes_service_accounts
}
