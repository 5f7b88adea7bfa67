output "helm_values" {
  description = "Helm values for helm upgrade --install (terraform output -raw helm_values > values-gcp.yaml)."
  value       = module.helm_values.values_yaml
}

output "cluster_name" {
  description = "GKE cluster (gcloud container clusters get-credentials NAME --region REGION)."
  value       = module.gke.name
}

output "region" {
  description = "Region of the environment."
  value       = var.region
}

output "image_repository" {
  description = "Where to push Atlas' image (docker push REPOSITORY:TAG)."
  value       = module.registry.image
}

output "cloudsql_instance" {
  description = "Cloud SQL instance name (gcloud sql users create ... --instance NAME)."
  value       = module.cloudsql.instance_name
}

output "cloudsql_connection_name" {
  description = "PROJECT:REGION:INSTANCE of the database."
  value       = module.cloudsql.connection_name
}

output "kafka_bootstrap" {
  description = "Kafka bootstrap servers (SASL_SSL)."
  value       = module.kafka.bootstrap_address
}

output "elasticsearch_url" {
  description = "Elasticsearch URL over Private Service Connect."
  value       = module.elasticsearch.url
}

output "elasticsearch_password" {
  description = "Elastic Cloud superuser password (terraform output -raw elasticsearch_password)."
  value       = module.elasticsearch.password
  sensitive   = true
}

output "secret_ids" {
  description = "Secret Manager ids by Atlas secret key."
  value       = module.secrets.secret_ids
}

output "ingress_address" {
  description = "Load balancer IP: the A record of the host points here."
  value       = module.network.ingress_address
}

output "service_accounts" {
  description = "Google service account of each component."
  value       = module.iam.emails
}

output "kubernetes_service_accounts" {
  description = "Kubernetes service account of each component, as Workload Identity binds them."
  value       = module.helm_values.kubernetes_service_accounts
}
