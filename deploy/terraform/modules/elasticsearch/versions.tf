terraform {
  required_version = ">= 1.9"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.30, < 8.0"
    }
    # Elastic's provider; it reads the Elastic Cloud API key from EC_API_KEY.
    ec = {
      source  = "elastic/ec"
      version = ">= 0.12, < 1.0"
    }
  }
}
