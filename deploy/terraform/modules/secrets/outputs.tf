output "secret_ids" {
  description = "Secret Manager ids by Atlas secret key (database-url, jwt-secret, cursor-secret, riverui-password, elasticsearch-api-key)."
  value       = { for k, s in google_secret_manager_secret.this : k => s.secret_id }
}
