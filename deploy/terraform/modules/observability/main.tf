# Cloud Monitoring for Atlas: the dashboard of dashboard.yaml, one alert
# policy per alert of alerts.yaml (PromQL over the metrics Google Managed
# Prometheus scrapes from the chart's PodMonitoring), and an uptime check on
# https://HOST/health with its own alert. Every alert links its runbook section.

locals {
  dashboard = yamldecode(file("${path.module}/dashboard.yaml"))
  alerts    = yamldecode(file("${path.module}/alerts.yaml"))
  channels = concat(
    var.notification_channels,
    [for c in google_monitoring_notification_channel.email : c.id],
  )

  # Two charts per row on the 48-column mosaic.
  tiles = [
    for i, p in local.dashboard.panels : {
      xPos   = (i % 2) * 24
      yPos   = floor(i / 2) * 16
      width  = 24
      height = 16
      widget = {
        title = p.title
        xyChart = {
          chartOptions = { mode = "COLOR" }
          dataSets = [
            for q in p.queries : {
              plotType   = "LINE"
              targetAxis = "Y1"
              timeSeriesQuery = {
                prometheusQuery = q.expr
                unitOverride    = p.unit
              }
            }
          ]
          yAxis = { label = p.unit, scale = "LINEAR" }
        }
      }
    }
  ]
}

resource "google_monitoring_dashboard" "atlas" {
  project = var.project_id
  dashboard_json = jsonencode({
    displayName  = "${local.dashboard.title} (${var.environment})"
    mosaicLayout = { columns = 48, tiles = local.tiles }
  })
}

resource "google_monitoring_notification_channel" "email" {
  for_each     = toset(var.alert_emails)
  project      = var.project_id
  display_name = "Atlas ${var.environment}: ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
}

resource "google_monitoring_alert_policy" "promql" {
  for_each              = { for a in local.alerts.alerts : a.id => a }
  project               = var.project_id
  display_name          = "${each.value.title} (${var.environment})"
  combiner              = "OR"
  severity              = each.value.severity
  notification_channels = local.channels
  user_labels           = var.labels

  conditions {
    display_name = each.value.title
    condition_prometheus_query_language {
      query               = each.value.expr
      duration            = each.value.for
      evaluation_interval = "60s"
      rule_group          = "atlas"
      alert_rule          = each.key
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "${each.value.title} (${var.environment})"
    content   = "`${each.value.expr}` held for ${each.value.for}. What to do: ${var.runbook_url}#${each.value.runbook}"
    links {
      display_name = "Runbook"
      url          = "${var.runbook_url}#${each.value.runbook}"
    }
  }
}

resource "google_monitoring_uptime_check_config" "health" {
  project      = var.project_id
  display_name = "Atlas /health (${var.environment})"
  timeout      = "10s"
  period       = var.uptime_period
  user_labels  = var.labels

  http_check {
    path         = "/health"
    port         = 443
    use_ssl      = true
    validate_ssl = true
    accepted_response_status_codes {
      status_class = "STATUS_CLASS_2XX"
    }
  }

  content_matchers {
    content = "\"status\":\"ok\""
    matcher = "CONTAINS_STRING"
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = var.host
    }
  }
}

# Fires when the check fails from more than one checker location for 2 minutes.
resource "google_monitoring_alert_policy" "uptime" {
  project               = var.project_id
  display_name          = "${local.alerts.uptime.title} (${var.environment})"
  combiner              = "OR"
  severity              = local.alerts.uptime.severity
  notification_channels = local.channels
  user_labels           = var.labels

  conditions {
    display_name = local.alerts.uptime.title
    condition_threshold {
      filter          = "metric.type=\"monitoring.googleapis.com/uptime_check/check_passed\" AND metric.label.check_id=\"${google_monitoring_uptime_check_config.health.uptime_check_id}\" AND resource.type=\"uptime_url\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "120s"
      aggregations {
        alignment_period     = "1200s"
        per_series_aligner   = "ALIGN_NEXT_OLDER"
        cross_series_reducer = "REDUCE_COUNT_FALSE"
        group_by_fields      = ["resource.label.*"]
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "${local.alerts.uptime.title} (${var.environment})"
    content   = "https://${var.host}/health fails from several locations. What to do: ${var.runbook_url}#${local.alerts.uptime.runbook}"
    links {
      display_name = "Runbook"
      url          = "${var.runbook_url}#${local.alerts.uptime.runbook}"
    }
  }
}
