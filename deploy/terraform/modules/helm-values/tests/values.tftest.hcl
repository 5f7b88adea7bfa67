# `tofu test` (scripts/deploy check runs it offline: the module has no provider).

variables {
  project_id               = "my-atlas-staging"
  image_repository         = "europe-west1-docker.pkg.dev/my-atlas-staging/atlas/atlas"
  kafka_brokers            = "bootstrap.atlas-staging.europe-west1.managedkafka.my-atlas-staging.cloud.goog:9092"
  elasticsearch_url        = "https://atlas-staging.es.psc.europe-west1.gcp.cloud.es.io"
  cloudsql_connection_name = "my-atlas-staging:europe-west1:atlas-staging"
  host                     = "atlas-staging.example.com"
  ingress_address_name     = "atlas-staging-ingress"
  service_account_emails = {
    api              = "atlas-stg-api@my-atlas-staging.iam.gserviceaccount.com"
    worker           = "atlas-stg-worker@my-atlas-staging.iam.gserviceaccount.com"
    "audit-consumer" = "atlas-stg-audit@my-atlas-staging.iam.gserviceaccount.com"
    indexer          = "atlas-stg-indexer@my-atlas-staging.iam.gserviceaccount.com"
    migrate          = "atlas-stg-migrate@my-atlas-staging.iam.gserviceaccount.com"
  }
}

run "service_accounts_follow_the_chart_names" {
  command = plan
  assert {
    condition     = output.kubernetes_service_accounts["audit-consumer"] == "atlas-audit-consumer"
    error_message = "release atlas: the chart names the audit consumer's account atlas-audit-consumer"
  }
}

run "release_without_atlas_in_its_name_gets_the_chart_suffix" {
  command = plan
  variables {
    release_name = "prod"
  }
  assert {
    condition     = output.kubernetes_service_accounts["migrate"] == "prod-atlas-migrate"
    error_message = "release prod: the chart's fullname is prod-atlas"
  }
}

run "each_component_is_annotated_with_its_own_google_account" {
  command = plan
  assert {
    condition     = output.values.serviceAccount.perComponent.annotations.auditConsumer["iam.gke.io/gcp-service-account"] == "atlas-stg-audit@my-atlas-staging.iam.gserviceaccount.com"
    error_message = "auditConsumer must run as the audit-consumer's Google service account"
  }
  assert {
    condition     = output.values.serviceAccount.perComponent.annotations.migration["iam.gke.io/gcp-service-account"] == "atlas-stg-migrate@my-atlas-staging.iam.gserviceaccount.com"
    error_message = "the migration Job must run as the migrate Google service account"
  }
}

run "digest_wins_and_must_be_a_sha256" {
  command = plan
  variables {
    image_digest = "sha256:not-a-digest"
  }
  expect_failures = [var.image_digest]
}

run "logs_are_cloud_logging_json_with_project_qualified_traces" {
  command = plan
  variables {
    otlp_endpoint = "http://otel-collector.observability:4318"
  }
  assert {
    condition     = output.values.config.logFormat == "gcp" && output.values.config.gcpProject == "my-atlas-staging"
    error_message = "on Google Cloud Atlas logs Cloud Logging's structured JSON, trace ids qualified by the project"
  }
  assert {
    condition     = output.values.config.otel.endpoint == "http://otel-collector.observability:4318"
    error_message = "traces go to the collector given"
  }
}

run "otlp_endpoint_must_be_a_url" {
  command = plan
  variables {
    otlp_endpoint = "otel-collector:4318"
  }
  expect_failures = [var.otlp_endpoint]
}

run "kafka_is_sasl_ssl_with_google_tokens" {
  command = plan
  assert {
    condition     = output.values.kafka.securityProtocol == "SASL_SSL" && output.values.kafka.sasl.mechanism == "OAUTHBEARER"
    error_message = "Google's managed Kafka takes SASL_SSL with OAUTHBEARER only"
  }
  assert {
    condition     = output.values.kafka.sasl.oauthbearer.method == "google"
    error_message = "tokens must come from the pods' Google service accounts (Application Default Credentials)"
  }
}
