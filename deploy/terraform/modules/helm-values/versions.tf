# No provider: this module only computes values, so `tofu test` and
# scripts/deploy check evaluate it offline.
terraform {
  required_version = ">= 1.9"
}
