output "emails" {
  description = "Google service account email by component (api, worker, audit-consumer, indexer, migrate)."
  value       = { for k, sa in google_service_account.component : k => sa.email }
}

output "roles" {
  description = "Project roles granted, by component."
  value       = { for k, c in local.components : k => c.roles }
}
