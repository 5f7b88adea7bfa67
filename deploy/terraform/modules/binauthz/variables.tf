variable "project_id" {
  description = "Google Cloud project of the cluster and the registry."
  type        = string
}

variable "region" {
  description = "Region of the KMS key ring holding the attestor's key."
  type        = string
}

variable "cluster" {
  description = "The cluster the rule applies to, as location.name (e.g. europe-west1.atlas-production)."
  type        = string
}

variable "release_service_account" {
  description = "Email of the service account release.yml impersonates (Workload Identity Federation)."
  type        = string
}

variable "extra_allowed_images" {
  description = "Image name patterns admitted without attestation (e.g. a vetted third-party sidecar). Keep empty unless reviewed."
  type        = list(string)
  default     = []
}
