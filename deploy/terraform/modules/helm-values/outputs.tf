output "values" {
  description = "The Helm values, as an object."
  value       = local.values
}

output "values_yaml" {
  description = "The Helm values as YAML, for helm upgrade --install -f."
  value       = yamlencode(local.values)
}

output "kubernetes_service_accounts" {
  description = "Kubernetes service account of each component, as the chart names them (the iam module binds them)."
  value       = local.service_accounts
}
