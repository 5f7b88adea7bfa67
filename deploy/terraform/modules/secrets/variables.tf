variable "project_id" {
  description = "Google Cloud project of the secrets."
  type        = string
}

variable "prefix" {
  description = "Prefix of the secret ids, e.g. atlas-staging (ids become atlas-staging-jwt-secret, ...)."
  type        = string
  validation {
    condition     = can(regex("^[a-zA-Z][-_a-zA-Z0-9]{0,200}$", var.prefix))
    error_message = "prefix must be letters, digits, hyphens and underscores, starting with a letter."
  }
}

variable "replica_locations" {
  description = "Regions the secrets are replicated to (user-managed replication keeps them in your regions); empty: automatic replication."
  type        = list(string)
  default     = []
}

variable "accessors" {
  description = "IAM members that may read the secrets' values (the operators or the automation that syncs them into the cluster)."
  type        = list(string)
  default     = []
}

variable "labels" {
  description = "Labels on the secrets."
  type        = map(string)
  default     = {}
}
