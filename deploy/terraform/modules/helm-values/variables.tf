variable "release_name" {
  description = "Helm release name Atlas is installed as (helm upgrade --install RELEASE)."
  type        = string
  default     = "atlas"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$", var.release_name))
    error_message = "release_name must be a DNS label of at most 53 characters."
  }
}

variable "project_id" {
  description = "Google Cloud project id: qualifies trace ids in Atlas' Cloud Logging lines."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lower-case letters, digits and hyphens)."
  }
}

variable "otlp_endpoint" {
  description = "OTLP/HTTP endpoint of an OpenTelemetry Collector that forwards traces to Cloud Trace (e.g. http://otel-collector.observability:4318); empty: no traces."
  type        = string
  default     = ""
  validation {
    condition     = var.otlp_endpoint == "" || can(regex("^https?://[^/]+", var.otlp_endpoint))
    error_message = "otlp_endpoint must be empty or an http(s) URL."
  }
}

variable "image_repository" {
  description = "Image repository (registry module output image)."
  type        = string
}

variable "image_tag" {
  description = "Image tag to deploy; empty: the chart's appVersion. Prefer image_digest."
  type        = string
  default     = ""
}

variable "image_digest" {
  description = "Image digest (sha256:...) to deploy; wins over the tag."
  type        = string
  default     = ""
  validation {
    condition     = var.image_digest == "" || can(regex("^sha256:[a-f0-9]{64}$", var.image_digest))
    error_message = "image_digest must be empty or sha256: followed by 64 hex digits."
  }
}

variable "kafka_brokers" {
  description = "host:port of the Kafka bootstrap servers (kafka module output)."
  type        = string
}

variable "elasticsearch_url" {
  description = "Elasticsearch endpoint URL (elasticsearch module output)."
  type        = string
}

variable "cloudsql_connection_name" {
  description = "PROJECT:REGION:INSTANCE of the Cloud SQL instance (cloudsql module output)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9:.]*:[a-z]+-[a-z]+[0-9]:[a-z][-a-z0-9]*$", var.cloudsql_connection_name))
    error_message = "cloudsql_connection_name must be PROJECT:REGION:INSTANCE."
  }
}

variable "service_account_emails" {
  description = "Google service account email by component (iam module output emails)."
  type        = map(string)
}

variable "host" {
  description = "Public host name of Atlas (the Ingress rule and the managed certificate)."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]{2,}$", var.host))
    error_message = "host must be a fully qualified DNS name such as atlas.example.com."
  }
}

variable "ingress_address_name" {
  description = "Name of the global static address of the load balancer (network module output)."
  type        = string
}

variable "replicas" {
  description = "Replicas of each component: api, worker, auditConsumer, indexer."
  type        = map(number)
  default     = { api = 2, worker = 2, auditConsumer = 2, indexer = 2 }
  validation {
    condition     = toset(keys(var.replicas)) == toset(["api", "worker", "auditConsumer", "indexer"])
    error_message = "replicas must have exactly the keys api, worker, auditConsumer and indexer."
  }
}

variable "db_max_conns" {
  description = "ATLAS_DB_MAX_CONNS of each pod (chart config.dbMaxConns)."
  type        = number
  default     = 10
}

variable "admin_emails" {
  description = "Atlas users allowed into River UI."
  type        = list(string)
  default     = []
}

variable "existing_secret" {
  description = "Kubernetes Secret with the keys database-url, jwt-secret, cursor-secret, riverui-password (deploy/README.md creates it from Secret Manager)."
  type        = string
  default     = "atlas-secrets"
}

variable "cloudsql_proxy_image" {
  description = "Cloud SQL Auth Proxy image, pinned."
  type        = string
  default     = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.18.2"
}
