variable "project_id" {
  description = "Google Cloud project of the repository."
  type        = string
}

variable "region" {
  description = "Location of the repository (the cluster's region: pulls stay regional)."
  type        = string
}

variable "repository_id" {
  description = "Repository id; images are REGION-docker.pkg.dev/PROJECT/ID/atlas."
  type        = string
  default     = "atlas"
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,61}[a-z0-9]$", var.repository_id))
    error_message = "repository_id must be lower-case letters, digits and hyphens."
  }
}

variable "keep_recent_versions" {
  description = "Versions of each image kept whatever their age (rollbacks need the previous ones)."
  type        = number
  default     = 20
  validation {
    condition     = var.keep_recent_versions >= 3
    error_message = "keep_recent_versions must be at least 3."
  }
}

variable "delete_untagged_after" {
  description = "Untagged versions (superseded pushes, build cache) older than this are deleted; a duration in seconds, e.g. 604800s."
  type        = string
  default     = "604800s"
  validation {
    condition     = can(regex("^[0-9]+s$", var.delete_untagged_after))
    error_message = "delete_untagged_after must be seconds, e.g. 604800s."
  }
}

variable "delete_tagged_after" {
  description = "Tagged versions older than this are deleted, except the keep_recent_versions newest and tags starting with v (releases)."
  type        = string
  default     = "7776000s"
  validation {
    condition     = can(regex("^[0-9]+s$", var.delete_tagged_after))
    error_message = "delete_tagged_after must be seconds, e.g. 7776000s."
  }
}

variable "kms_key_name" {
  description = "Cloud KMS key for customer-managed encryption of the images; empty: Google-managed keys."
  type        = string
  default     = ""
}

variable "reader_members" {
  description = "IAM members that may pull images (the GKE nodes' service account)."
  type        = list(string)
  default     = []
}

variable "writer_members" {
  description = "IAM members that may push images (the CI's service account)."
  type        = list(string)
  default     = []
}

variable "labels" {
  description = "Labels on the repository."
  type        = map(string)
  default     = {}
}
