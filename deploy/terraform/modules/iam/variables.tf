variable "project_id" {
  description = "Google Cloud project of the service accounts."
  type        = string
}

variable "prefix" {
  description = "Prefix of the service account ids, e.g. atlas-stg (ids become atlas-stg-api, ...; at most 30 characters in all)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,20}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-22 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "workload_identity_pool" {
  description = "The cluster's Workload Identity pool, PROJECT.svc.id.goog (gke module output)."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace Atlas is installed in."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label."
  }
}

variable "kubernetes_service_accounts" {
  description = "Kubernetes service account of each component (helm-values module output), keys api, worker, audit-consumer, indexer, migrate."
  type        = map(string)
  validation {
    condition     = toset(keys(var.kubernetes_service_accounts)) == toset(["api", "worker", "audit-consumer", "indexer", "migrate"])
    error_message = "kubernetes_service_accounts must name exactly api, worker, audit-consumer, indexer and migrate."
  }
}
