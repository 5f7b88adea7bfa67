variable "project_id" {
  description = "Google Cloud project of this environment."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lower-case letters, digits and hyphens)."
  }
}

variable "region" {
  description = "Region of the environment."
  type        = string
  default     = "europe-west1"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1."
  }
}

variable "host" {
  description = "Public DNS name of Atlas, e.g. atlas-staging.example.com."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]{2,}$", var.host))
    error_message = "host must be a fully qualified DNS name."
  }
}

variable "runbook_url" {
  description = "https URL of docs/runbook.md (e.g. https://github.com/OWNER/atlas/blob/main/docs/runbook.md)."
  type        = string
  validation {
    condition     = can(regex("^https://[^#\\s]+$", var.runbook_url))
    error_message = "runbook_url must be an https URL without a fragment."
  }
}

variable "alert_emails" {
  description = "Emails notified by the alerts."
  type        = list(string)
  default     = []
}

variable "image_digest" {
  description = "Digest of the Atlas image the Helm values deploy (sha256:...); empty: the chart's appVersion tag."
  type        = string
  default     = ""
  validation {
    condition     = var.image_digest == "" || can(regex("^sha256:[a-f0-9]{64}$", var.image_digest))
    error_message = "image_digest must be empty or sha256: and 64 hex digits."
  }
}

variable "ci_service_account" {
  description = "Email of the service account CI pushes images with; empty: none."
  type        = string
  default     = ""
}

variable "authorized_networks" {
  description = "CIDRs allowed to reach the GKE control plane (name and cidr)."
  type = list(object({
    cidr = string
    name = string
  }))
  default = []
}

variable "operators" {
  description = "IAM members (user:..., group:...) who may read the Secret Manager values to create the cluster Secret."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for m in var.operators : can(regex("^(user|group|serviceAccount):", m))])
    error_message = "operators must be IAM members such as user:ada@example.com or group:ops@example.com."
  }
}

variable "admin_emails" {
  description = "Atlas users allowed into River UI."
  type        = list(string)
  default     = []
}

variable "otlp_endpoint" {
  description = "OTLP/HTTP endpoint of an OpenTelemetry Collector forwarding Atlas' traces to Cloud Trace (see deploy/README.md); empty: no traces."
  type        = string
  default     = ""
  validation {
    condition     = var.otlp_endpoint == "" || can(regex("^https?://[^/]+", var.otlp_endpoint))
    error_message = "otlp_endpoint must be empty or an http(s) URL."
  }
}

variable "require_attested_images" {
  description = "Run only images the release pipeline attested (Binary Authorization; needs ci_service_account)."
  type        = bool
  default     = false
}
