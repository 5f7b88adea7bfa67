# Plans the whole definition with one environment's values and the providers
# mocked: nothing reaches Google or Elastic, but OpenTofu checks every
# resource against the provider's schema, evaluates every expression, count
# and for_each with the environment's sizes, and runs every variable
# validation of the modules. deploy/tests/check.py runs it once per
# environment (scripts/deploy check):
#   tofu test -var-file=../envs/ENV/env.tfvars -var-file=../envs/ENV/terraform.tfvars.example
# The mocks make up random strings for computed attributes; the defaults
# below give the few that the modules validate the shape they have in Google.
mock_provider "google" {
  mock_resource "google_compute_subnetwork" {
    defaults = { id = "projects/my-atlas/regions/europe-west1/subnetworks/atlas" }
  }
  mock_resource "google_sql_database_instance" {
    defaults = { connection_name = "my-atlas:europe-west1:atlas" }
  }
  mock_resource "google_service_account" {
    defaults = { email = "atlas-api@my-atlas.iam.gserviceaccount.com" }
  }
}

mock_provider "ec" {}

run "plan" {
  command = plan

  assert {
    condition     = length(output.kubernetes_service_accounts) == 5
    error_message = "every component needs its Kubernetes service account"
  }
}
