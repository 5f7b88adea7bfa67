# Binary Authorization: the cluster runs only images from Atlas' Artifact
# Registry repository that carry an attestation by the release attestor
# (created by release.yml after the image passed its scan, see
# docs/pipeline.md). Google's own system images stay allowed.

resource "google_kms_key_ring" "binauthz" {
  project  = var.project_id
  name     = "atlas-binauthz"
  location = var.region
}

resource "google_kms_crypto_key" "attestor" {
  name     = "release-attestor"
  key_ring = google_kms_key_ring.binauthz.id
  purpose  = "ASYMMETRIC_SIGN"

  version_template {
    algorithm        = "EC_SIGN_P256_SHA256"
    protection_level = "HSM"
  }

  lifecycle {
    prevent_destroy = true
  }
}

data "google_kms_crypto_key_version" "attestor" {
  crypto_key = google_kms_crypto_key.attestor.id
}

resource "google_container_analysis_note" "release" {
  project = var.project_id
  name    = "atlas-release"

  attestation_authority {
    hint {
      human_readable_name = "Atlas release pipeline (scanned and signed)"
    }
  }
}

resource "google_binary_authorization_attestor" "release" {
  project = var.project_id
  name    = "atlas-release"

  attestation_authority_note {
    note_reference = google_container_analysis_note.release.name

    public_keys {
      id = data.google_kms_crypto_key_version.attestor.id

      pkix_public_key {
        public_key_pem      = data.google_kms_crypto_key_version.attestor.public_key[0].pem
        signature_algorithm = data.google_kms_crypto_key_version.attestor.public_key[0].algorithm
      }
    }
  }
}

resource "google_binary_authorization_policy" "this" {
  project = var.project_id

  global_policy_evaluation_mode = "ENABLE"

  # Nothing runs by default ...
  default_admission_rule {
    evaluation_mode  = "ALWAYS_DENY"
    enforcement_mode = "ENFORCED_BLOCK_AND_AUDIT_LOG"
  }

  # ... except Atlas' images from its own repository, attested by the release attestor.
  cluster_admission_rules {
    cluster                 = var.cluster
    evaluation_mode         = "REQUIRE_ATTESTATION"
    enforcement_mode        = "ENFORCED_BLOCK_AND_AUDIT_LOG"
    require_attestations_by = [google_binary_authorization_attestor.release.name]
  }

  dynamic "admission_whitelist_patterns" {
    for_each = var.extra_allowed_images
    content {
      name_pattern = admission_whitelist_patterns.value
    }
  }
}

# The release service account may sign attestations, nobody else.
resource "google_kms_crypto_key_iam_member" "release_signs" {
  crypto_key_id = google_kms_crypto_key.attestor.id
  role          = "roles/cloudkms.signerVerifier"
  member        = "serviceAccount:${var.release_service_account}"
}

resource "google_binary_authorization_attestor_iam_member" "release_attests" {
  project  = var.project_id
  attestor = google_binary_authorization_attestor.release.name
  role     = "roles/binaryauthorization.attestorsVerifier"
  member   = "serviceAccount:${var.release_service_account}"
}

resource "google_project_iam_member" "release_notes" {
  project = var.project_id
  role    = "roles/containeranalysis.notes.attacher"
  member  = "serviceAccount:${var.release_service_account}"
}
