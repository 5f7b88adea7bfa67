variable "project_id" {
  description = "Google Cloud project of the cluster."
  type        = string
}

variable "region" {
  description = "Region of the cluster (the subnet's)."
  type        = string
}

variable "cluster_id" {
  description = "Kafka cluster id."
  type        = string
  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.cluster_id))
    error_message = "cluster_id must be 1-63 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "subnet_id" {
  description = "Subnet where the brokers get their addresses and DNS names (projects/P/regions/R/subnetworks/S)."
  type        = string
  validation {
    condition     = can(regex("^projects/[^/]+/regions/[^/]+/subnetworks/[^/]+$", var.subnet_id))
    error_message = "subnet_id must be projects/PROJECT/regions/REGION/subnetworks/SUBNET."
  }
}

variable "vcpu_count" {
  description = "vCPUs of the cluster (at least 3; brokers are provisioned from it)."
  type        = number
  default     = 3
  validation {
    condition     = var.vcpu_count >= 3
    error_message = "vcpu_count must be at least 3."
  }
}

variable "memory_gib" {
  description = "Memory of the cluster in GiB: 1 to 8 per vCPU."
  type        = number
  default     = 3
  validation {
    condition     = var.memory_gib >= 3
    error_message = "memory_gib must be at least 3 (1 GiB per vCPU, at least 3 vCPUs)."
  }
}

variable "events_partitions" {
  description = "Partitions of atlas.events.v1: the most consumer-group members that work at once (the chart's consumers run 2 each by default)."
  type        = number
  default     = 6
  validation {
    condition     = var.events_partitions >= 1 && var.events_partitions <= 1000
    error_message = "events_partitions must be between 1 and 1000."
  }
}

variable "events_retention_ms" {
  description = "How long events stay on atlas.events.v1 (7 days by default: a consumer can be down that long and catch up)."
  type        = number
  default     = 604800000
}

variable "dlq_retention_ms" {
  description = "How long dead-lettered records stay on atlas.events.dlq.v1 (30 days by default, time to repair and replay them)."
  type        = number
  default     = 2592000000
}

variable "kms_key" {
  description = "Cloud KMS key for the brokers' disks; empty: Google-managed keys."
  type        = string
  default     = ""
}

variable "labels" {
  description = "Labels on the cluster."
  type        = map(string)
  default     = {}
}
