# Secret Manager secrets for Atlas' keys. Terraform creates the secrets, not
# their values: a value given to Terraform would sit in its state in clear.
# deploy/README.md adds the versions (`openssl rand ... | gcloud secrets
# versions add`) and copies them into the cluster's Kubernetes Secret.

locals {
  secrets = {
    "database-url"          = "postgres:// URL Atlas connects with (through the Cloud SQL Auth Proxy on 127.0.0.1)"
    "jwt-secret"            = "HS256 key of access tokens, at least 32 bytes"
    "cursor-secret"         = "key that signs pagination cursors, at least 16 bytes"
    "riverui-password"      = "HTTP Basic password of River UI, at least 16 bytes"
    "elasticsearch-api-key" = "Elasticsearch API key of Atlas (the encoded value), least privilege on atlas-* indices"
  }
}

resource "google_secret_manager_secret" "this" {
  for_each  = local.secrets
  project   = var.project_id
  secret_id = "${var.prefix}-${each.key}"
  labels    = var.labels
  annotations = {
    description = each.value
  }

  replication {
    dynamic "auto" {
      for_each = length(var.replica_locations) == 0 ? [1] : []
      content {}
    }
    dynamic "user_managed" {
      for_each = length(var.replica_locations) == 0 ? [] : [1]
      content {
        dynamic "replicas" {
          for_each = var.replica_locations
          content {
            location = replicas.value
          }
        }
      }
    }
  }
}

resource "google_secret_manager_secret_iam_member" "accessors" {
  for_each = {
    for pair in setproduct(keys(local.secrets), var.accessors) : "${pair[0]} ${pair[1]}" => {
      secret = pair[0]
      member = pair[1]
    }
  }
  project   = var.project_id
  secret_id = google_secret_manager_secret.this[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value.member
}
