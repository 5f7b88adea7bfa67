variable "project_id" {
  description = "Google Cloud project of the instance."
  type        = string
}

variable "region" {
  description = "Region of the instance (the same as the cluster's, so traffic stays in it)."
  type        = string
}

variable "name" {
  description = "Instance name. Cloud SQL keeps a deleted instance's name reserved for a week."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,78}[a-z0-9]$", var.name))
    error_message = "name must be lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "private_network" {
  description = "VPC id with private services access connected (network module output private_services_network)."
  type        = string
}

variable "tier" {
  description = "Machine tier, e.g. db-custom-1-3840 (1 vCPU, 3.75 GB) for staging, db-custom-2-7680 for production."
  type        = string
  default     = "db-custom-1-3840"
  validation {
    condition     = can(regex("^db-(custom-[0-9]+-[0-9]+|perf-optimized-N-[0-9]+|f1-micro|g1-small)$", var.tier))
    error_message = "tier must be a Cloud SQL tier such as db-custom-2-7680."
  }
}

variable "edition" {
  description = "Cloud SQL edition: ENTERPRISE (custom tiers) or ENTERPRISE_PLUS (perf-optimized tiers)."
  type        = string
  default     = "ENTERPRISE"
  validation {
    condition     = contains(["ENTERPRISE", "ENTERPRISE_PLUS"], var.edition)
    error_message = "edition must be ENTERPRISE or ENTERPRISE_PLUS."
  }
}

variable "high_availability" {
  description = "REGIONAL availability: a standby in another zone with synchronous replication and automatic failover (doubles the instance cost)."
  type        = bool
  default     = false
}

variable "disk_size_gb" {
  description = "Initial SSD size in GB; it grows automatically."
  type        = number
  default     = 20
  validation {
    condition     = var.disk_size_gb >= 10
    error_message = "disk_size_gb must be at least 10."
  }
}

variable "max_connections" {
  description = "Postgres max_connections. Atlas needs pods x ATLAS_DB_MAX_CONNS (chart config.dbMaxConns) plus the migration Job."
  type        = number
  default     = 200
  validation {
    condition     = var.max_connections >= 50 && var.max_connections <= 5000
    error_message = "max_connections must be between 50 and 5000."
  }
}

variable "backup_start_time" {
  description = "UTC HH:MM at which the daily backup starts."
  type        = string
  default     = "02:00"
  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_start_time))
    error_message = "backup_start_time must be HH:MM (UTC)."
  }
}

variable "retained_backups" {
  description = "Daily backups kept."
  type        = number
  default     = 14
  validation {
    condition     = var.retained_backups >= 1 && var.retained_backups <= 365
    error_message = "retained_backups must be between 1 and 365."
  }
}

variable "transaction_log_retention_days" {
  description = "Days of write-ahead log kept for point-in-time recovery (1-7 on the Enterprise edition)."
  type        = number
  default     = 7
  validation {
    condition     = var.transaction_log_retention_days >= 1 && var.transaction_log_retention_days <= 35
    error_message = "transaction_log_retention_days must be between 1 and 35."
  }
}

variable "deletion_protection" {
  description = "Refuse deletion, both in Terraform and in the Cloud SQL API."
  type        = bool
  default     = true
}

variable "iam_service_accounts" {
  description = "Emails of the service accounts that get an IAM database user (IAM database authentication)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for e in var.iam_service_accounts : endswith(e, ".iam.gserviceaccount.com")])
    error_message = "iam_service_accounts must be service account emails (...@PROJECT.iam.gserviceaccount.com)."
  }
}

variable "labels" {
  description = "User labels on the instance."
  type        = map(string)
  default     = {}
}

variable "ssl_mode" {
  description = "TLS the instance demands. TRUSTED_CLIENT_CERTIFICATE_REQUIRED: encrypted with a client certificate, which the Cloud SQL Auth Proxy (and Google's Go connector) present on their own. ENCRYPTED_ONLY: encrypted only, for clients that connect directly with sslmode=verify-full."
  type        = string
  default     = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
  validation {
    condition     = contains(["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"], var.ssl_mode)
    error_message = "ssl_mode must be ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED."
  }
}
