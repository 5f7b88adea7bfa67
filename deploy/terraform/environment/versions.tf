# The one definition every environment applies: envs/<name>/env.tfvars gives
# its sizes, envs/<name>/backend.tfbackend its state prefix, and your
# envs/<name>/terraform.tfvars its project, host and people (deploy/README.md).
terraform {
  required_version = ">= 1.9"

  # State in a GCS bucket (versioned, created once by deploy/README.md step 3);
  # the bucket and the environment's prefix come at init:
  #   terraform init -backend-config=../envs/staging/backend.tfbackend -backend-config="bucket=PROJECT-tfstate"
  backend "gcs" {}

  # The versions deploy/tests/providers holds the schemas of, which
  # scripts/deploy check validates every module against.
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.45"
    }
    ec = {
      source  = "elastic/ec"
      version = "~> 0.12.5"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
  default_labels = {
    app         = "atlas"
    environment = var.environment
    managed-by  = "terraform"
  }
}

# Reads the Elastic Cloud API key from EC_API_KEY.
provider "ec" {}
