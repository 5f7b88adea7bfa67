variable "project_id" {
  description = "Google Cloud project that holds the network."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lower-case letters, digits and hyphens)."
  }
}

variable "region" {
  description = "Region of the subnet, the Cloud Router and Cloud NAT (everything regional of Atlas lives here)."
  type        = string
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1."
  }
}

variable "name" {
  description = "Prefix of every resource name, e.g. atlas-staging."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,28}[a-z0-9]$", var.name))
    error_message = "name must be 3-30 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "nodes_cidr" {
  description = "Primary range of the subnet: GKE nodes, the Kafka brokers' addresses and the Elasticsearch PSC endpoint."
  type        = string
  default     = "10.10.0.0/20"
  validation {
    condition     = can(cidrhost(var.nodes_cidr, 0))
    error_message = "nodes_cidr must be an IPv4 CIDR block."
  }
}

variable "pods_cidr" {
  description = "Secondary range for Pod addresses (Autopilot gives each node a /24 out of it)."
  type        = string
  default     = "10.16.0.0/14"
  validation {
    condition     = can(cidrhost(var.pods_cidr, 0))
    error_message = "pods_cidr must be an IPv4 CIDR block."
  }
}

variable "services_cidr" {
  description = "Secondary range for ClusterIP Services."
  type        = string
  default     = "10.20.0.0/20"
  validation {
    condition     = can(cidrhost(var.services_cidr, 0))
    error_message = "services_cidr must be an IPv4 CIDR block."
  }
}

variable "private_services_prefix_length" {
  description = "Size of the range reserved for private services access (Cloud SQL's private IP comes from it)."
  type        = number
  default     = 20
  validation {
    condition     = var.private_services_prefix_length >= 16 && var.private_services_prefix_length <= 24
    error_message = "private_services_prefix_length must be between 16 and 24."
  }
}

variable "flow_log_sampling" {
  description = "Fraction of VPC flow log records kept (0 to 1)."
  type        = number
  default     = 0.5
  validation {
    condition     = var.flow_log_sampling >= 0 && var.flow_log_sampling <= 1
    error_message = "flow_log_sampling must be between 0 and 1."
  }
}
