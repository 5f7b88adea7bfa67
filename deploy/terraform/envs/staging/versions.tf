terraform {
  required_version = ">= 1.9"

  # State in a GCS bucket (versioned, created once by deploy/README.md step 2):
  #   terraform init -backend-config="bucket=PROJECT-tfstate"
  backend "gcs" {
    prefix = "atlas/staging"
  }

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
    ec = {
      source  = "elastic/ec"
      version = "~> 0.12"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
  default_labels = {
    app         = "atlas"
    environment = "staging"
    managed-by  = "terraform"
  }
}

# Reads the Elastic Cloud API key from EC_API_KEY.
provider "ec" {}
