variable "project_id" {
  description = "Google Cloud project of the Private Service Connect endpoint."
  type        = string
}

variable "region" {
  description = "Google Cloud region; the Elastic Cloud deployment runs in the same one (gcp-REGION)."
  type        = string
}

variable "name" {
  description = "Deployment name, also the prefix of the endpoint's resources."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,40}[a-z0-9]$", var.name))
    error_message = "name must be lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "network_id" {
  description = "VPC id (network module output)."
  type        = string
}

variable "subnet_id" {
  description = "Subnet the endpoint's private address comes from."
  type        = string
}

variable "stack_version_regex" {
  description = "Elastic Stack versions to pick from (the newest match in the region): Atlas runs on 8.x."
  type        = string
  default     = "^8\\.[0-9]+\\.[0-9]+$"
}

variable "deployment_template_id" {
  description = "Elastic Cloud hardware profile, e.g. gcp-general-purpose or gcp-storage-optimized."
  type        = string
  default     = "gcp-general-purpose"
}

variable "hot_size" {
  description = "Memory per zone of the hot tier, e.g. 2g (staging) or 4g (production)."
  type        = string
  default     = "2g"
  validation {
    condition     = can(regex("^[0-9]+g$", var.hot_size))
    error_message = "hot_size must be like 2g."
  }
}

variable "zone_count" {
  description = "Zones of the hot tier: 1 for staging, 2 or 3 so a zone outage keeps search up."
  type        = number
  default     = 1
  validation {
    condition     = var.zone_count >= 1 && var.zone_count <= 3
    error_message = "zone_count must be 1, 2 or 3."
  }
}
