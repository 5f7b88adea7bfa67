output "dashboard_id" {
  description = "Cloud Monitoring dashboard id."
  value       = google_monitoring_dashboard.atlas.id
}

output "alert_policies" {
  description = "Alert policy names by alert id."
  value       = merge({ for k, p in google_monitoring_alert_policy.promql : k => p.name }, { (local.alerts.uptime.id) = google_monitoring_alert_policy.uptime.name })
}

output "uptime_check_id" {
  description = "Id of the /health uptime check."
  value       = google_monitoring_uptime_check_config.health.uptime_check_id
}
