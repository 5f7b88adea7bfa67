variable "project_id" {
  description = "Google Cloud project Atlas runs in (one project per environment)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lower-case letters, digits and hyphens)."
  }
}

variable "region" {
  description = "Region of everything regional (cluster, database, Kafka, registry, Elasticsearch)."
  type        = string
  default     = "europe-west1"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1."
  }
}

variable "environment" {
  description = "Environment name: staging or production (names, labels, titles)."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "short_name" {
  description = "Short prefix for ids with tight length limits (service accounts), e.g. atlas-stg."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,14}[a-z0-9]$", var.short_name))
    error_message = "short_name must be 3-16 lower-case letters, digits and hyphens."
  }
}

variable "host" {
  description = "Public DNS name of Atlas (Ingress, managed certificate, uptime check), e.g. atlas.example.com."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]{2,}$", var.host))
    error_message = "host must be a fully qualified DNS name."
  }
}

variable "runbook_url" {
  description = "https URL of docs/runbook.md as your team reads it (e.g. https://github.com/OWNER/atlas/blob/main/docs/runbook.md); alerts link its sections."
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

variable "notification_channels" {
  description = "Existing Cloud Monitoring notification channel ids notified by the alerts."
  type        = list(string)
  default     = []
}

variable "namespace" {
  description = "Kubernetes namespace of the Helm release."
  type        = string
  default     = "atlas"
}

variable "release_name" {
  description = "Helm release name."
  type        = string
  default     = "atlas"
}

variable "image_tag" {
  description = "Image tag the Helm values deploy (empty: the chart's appVersion)."
  type        = string
  default     = ""
}

variable "image_digest" {
  description = "Digest of the Atlas image the Helm values deploy (sha256:...; wins over the tag; the helm-values module validates it); empty: the tag."
  type        = string
  default     = ""
}

variable "ci_service_account" {
  description = "Email of the service account CI pushes images with (gets Artifact Registry writer); empty: none."
  type        = string
  default     = ""
}

variable "authorized_networks" {
  description = "CIDRs allowed to reach the GKE control plane."
  type = list(object({
    cidr = string
    name = string
  }))
  default = []
}

variable "release_channel" {
  description = "GKE release channel."
  type        = string
  default     = "REGULAR"
}

variable "sql_tier" {
  description = "Cloud SQL machine tier."
  type        = string
}

variable "sql_high_availability" {
  description = "Cloud SQL standby in a second zone."
  type        = bool
}

variable "sql_disk_size_gb" {
  description = "Initial Cloud SQL disk in GB."
  type        = number
  default     = 20
}

variable "sql_max_connections" {
  description = "Postgres max_connections."
  type        = number
  default     = 200
}

variable "sql_retained_backups" {
  description = "Daily Cloud SQL backups kept."
  type        = number
  default     = 14
}

variable "kafka_vcpu" {
  description = "Managed Kafka vCPUs (at least 3)."
  type        = number
  default     = 3
}

variable "kafka_memory_gib" {
  description = "Managed Kafka memory in GiB (1-8 per vCPU)."
  type        = number
  default     = 3
}

variable "elasticsearch_size" {
  description = "Elastic Cloud hot tier memory per zone, e.g. 2g."
  type        = string
  default     = "2g"
}

variable "elasticsearch_zones" {
  description = "Elastic Cloud zones (1-3)."
  type        = number
  default     = 1
}

variable "replicas" {
  description = "Replicas of api, worker, auditConsumer and indexer."
  type        = map(number)
  default     = { api = 2, worker = 2, auditConsumer = 2, indexer = 2 }
}

variable "db_max_conns" {
  description = "ATLAS_DB_MAX_CONNS per pod; pods x this must stay under sql_max_connections."
  type        = number
  default     = 10
}

variable "admin_emails" {
  description = "Atlas users allowed into River UI."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Protect the cluster and the database from deletion."
  type        = bool
  default     = true
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

variable "otlp_endpoint" {
  description = "OTLP/HTTP endpoint of an OpenTelemetry Collector forwarding Atlas' traces to Cloud Trace (see deploy/README.md; the helm-values module validates it); empty: no traces."
  type        = string
  default     = ""
}

variable "require_attested_images" {
  description = "Enforce the binauthz module's policy: the cluster runs only Atlas images attested by the release pipeline (ci_service_account signs the attestations). Off: Google's default policy (allow all)."
  type        = bool
  default     = false
  validation {
    condition     = !var.require_attested_images || var.ci_service_account != ""
    error_message = "require_attested_images needs ci_service_account: the release pipeline's identity is the one that attests images."
  }
}
