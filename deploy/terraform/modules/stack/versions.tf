# The providers are the modules' own (each declares what it uses); the
# environments configure them.
terraform {
  required_version = ">= 1.9"
}
