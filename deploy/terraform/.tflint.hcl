# tflint for Atlas' Terraform (scripts/deploy check runs it on every module
# and environment). Only the bundled terraform ruleset: its plugins for
# Google cannot be downloaded here; the "all" preset adds naming, typing,
# documentation and unused-declaration rules to the recommended ones.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
