output "attestor" {
  description = "Full name of the release attestor (release.yml's --attestor)."
  value       = google_binary_authorization_attestor.release.id
}

output "attestor_key_version" {
  description = "KMS key version that signs attestations (release.yml's --keyversion)."
  value       = data.google_kms_crypto_key_version.attestor.id
}
