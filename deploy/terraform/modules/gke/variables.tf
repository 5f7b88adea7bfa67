variable "project_id" {
  description = "Google Cloud project of the cluster."
  type        = string
}

variable "region" {
  description = "Region of the cluster (Autopilot clusters are regional)."
  type        = string
}

variable "name" {
  description = "Cluster name."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,38}[a-z0-9]$", var.name))
    error_message = "name must be 2-40 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "network_id" {
  description = "VPC id (network module output network_id)."
  type        = string
}

variable "subnet_id" {
  description = "Subnet id for the nodes (network module output subnet_id)."
  type        = string
}

variable "pods_range_name" {
  description = "Secondary range of the subnet for Pods."
  type        = string
}

variable "services_range_name" {
  description = "Secondary range of the subnet for Services."
  type        = string
}

variable "release_channel" {
  description = "GKE release channel: REGULAR for most, STABLE for the most conservative upgrades, RAPID to test what comes."
  type        = string
  default     = "REGULAR"
  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "maintenance_start_time" {
  description = "Start of the first maintenance window, RFC 3339 UTC (the time of day and the weekday repeat)."
  type        = string
  default     = "2025-01-04T02:00:00Z"
  validation {
    condition     = can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", var.maintenance_start_time))
    error_message = "maintenance_start_time must look like 2025-01-04T02:00:00Z."
  }
}

variable "maintenance_end_time" {
  description = "End of that first window, RFC 3339 UTC (GKE needs at least 48 hours of windows in 32 days)."
  type        = string
  default     = "2025-01-04T08:00:00Z"
  validation {
    condition     = can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", var.maintenance_end_time))
    error_message = "maintenance_end_time must look like 2025-01-04T08:00:00Z."
  }
}

variable "maintenance_recurrence" {
  description = "RFC 5545 RRULE of the windows; the default is Saturdays and Sundays."
  type        = string
  default     = "FREQ=WEEKLY;BYDAY=SA,SU"
  validation {
    condition     = startswith(var.maintenance_recurrence, "FREQ=")
    error_message = "maintenance_recurrence must be an RRULE such as FREQ=WEEKLY;BYDAY=SA,SU."
  }
}

variable "master_ipv4_cidr_block" {
  description = "/28 range for the control plane's private endpoint."
  type        = string
  default     = "172.16.0.0/28"
  validation {
    condition     = can(cidrhost(var.master_ipv4_cidr_block, 0)) && endswith(var.master_ipv4_cidr_block, "/28")
    error_message = "master_ipv4_cidr_block must be a /28 IPv4 block."
  }
}

variable "authorized_networks" {
  description = "CIDRs allowed to reach the control plane (your office, the CI runners); empty: the VPC only."
  type = list(object({
    cidr = string
    name = string
  }))
  default = []
  validation {
    condition     = alltrue([for n in var.authorized_networks : can(cidrhost(n.cidr, 0))])
    error_message = "every authorized_networks cidr must be an IPv4 CIDR block."
  }
}

variable "binary_authorization_mode" {
  description = "Binary Authorization evaluation mode: PROJECT_SINGLETON_POLICY_ENFORCE checks every image against the project's policy (the binauthz module's, or Google's allow-all default)."
  type        = string
  default     = "PROJECT_SINGLETON_POLICY_ENFORCE"
  validation {
    condition     = contains(["DISABLED", "PROJECT_SINGLETON_POLICY_ENFORCE"], var.binary_authorization_mode)
    error_message = "binary_authorization_mode must be DISABLED or PROJECT_SINGLETON_POLICY_ENFORCE."
  }
}

variable "database_encryption_key" {
  description = "Cloud KMS key that encrypts Kubernetes Secrets in etcd (application-layer encryption); empty: Google's default encryption."
  type        = string
  default     = ""
}

variable "deletion_protection" {
  description = "Refuse `terraform destroy` of the cluster."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels on the cluster."
  type        = map(string)
  default     = {}
}
