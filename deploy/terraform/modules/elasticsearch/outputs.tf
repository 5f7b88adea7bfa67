output "url" {
  description = "Elasticsearch URL over Private Service Connect: ATLAS_ELASTICSEARCH_URL."
  value       = "https://${ec_deployment.this.alias}.es.${data.ec_gcp_private_service_connect_endpoint.this.domain_name}"
}

output "deployment_id" {
  description = "Elastic Cloud deployment id."
  value       = ec_deployment.this.id
}

output "username" {
  description = "The deployment's superuser (to create Atlas' API key; see deploy/README.md)."
  value       = ec_deployment.this.elasticsearch_username
}

output "password" {
  description = "The superuser's password."
  value       = ec_deployment.this.elasticsearch_password
  sensitive   = true
}
