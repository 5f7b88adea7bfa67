terraform {
  required_version = ">= 1.9"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 7.45, < 8.0"
    }
    # Elastic's provider; it reads the Elastic Cloud API key from EC_API_KEY.
    ec = {
      source  = "elastic/ec"
      version = ">= 0.12.5, < 1.0"
    }
  }
}
