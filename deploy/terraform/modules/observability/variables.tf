variable "project_id" {
  description = "Google Cloud project whose Cloud Monitoring holds the dashboard, alerts and uptime check."
  type        = string
}

variable "environment" {
  description = "Environment name shown in titles (staging, production)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,20}$", var.environment))
    error_message = "environment must be a short lower-case name."
  }
}

variable "host" {
  description = "Public host name of Atlas; the uptime check requests https://HOST/health."
  type        = string
}

variable "runbook_url" {
  description = "URL of docs/runbook.md as people read it (e.g. https://github.com/OWNER/atlas/blob/main/docs/runbook.md); each alert links a section of it."
  type        = string
  validation {
    condition     = can(regex("^https://[^#\\s]+$", var.runbook_url))
    error_message = "runbook_url must be an https URL without a fragment."
  }
}

variable "alert_emails" {
  description = "Email addresses notified by every alert (an email notification channel each)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+$", e))])
    error_message = "alert_emails must be email addresses."
  }
}

variable "notification_channels" {
  description = "Ids of existing notification channels (PagerDuty, Slack, ...) notified by every alert."
  type        = list(string)
  default     = []
}

variable "uptime_period" {
  description = "How often the uptime check runs: 60s, 300s, 600s or 900s."
  type        = string
  default     = "60s"
  validation {
    condition     = contains(["60s", "300s", "600s", "900s"], var.uptime_period)
    error_message = "uptime_period must be 60s, 300s, 600s or 900s."
  }
}

variable "labels" {
  description = "User labels on the alert policies and the uptime check."
  type        = map(string)
  default     = {}
}
