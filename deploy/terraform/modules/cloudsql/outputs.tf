output "instance_name" {
  description = "Instance name."
  value       = google_sql_database_instance.this.name
}

output "connection_name" {
  description = "PROJECT:REGION:INSTANCE, what the Cloud SQL Auth Proxy connects to."
  value       = google_sql_database_instance.this.connection_name
}

output "private_ip" {
  description = "The instance's private address."
  value       = google_sql_database_instance.this.private_ip_address
}

output "database" {
  description = "Name of Atlas' database."
  value       = google_sql_database.atlas.name
}

output "iam_users" {
  description = "Postgres user names of the IAM database users, by service account email."
  value       = { for email, u in google_sql_user.iam : email => u.name }
}
