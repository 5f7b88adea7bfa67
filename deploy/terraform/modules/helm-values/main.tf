# The Helm values that install Atlas on what the other modules created. The
# environments output them as YAML (`terraform output -raw helm_values >
# values-gcp.yaml`); scripts/deploy check evaluates this module with sample
# inputs and renders the chart with the result.

locals {
  # The chart's object names (templates/_helpers.tpl atlas.fullname): the
  # release name when it contains "atlas", else RELEASE-atlas; 40 characters.
  fullname = trimsuffix(substr(strcontains(var.release_name, "atlas") ? var.release_name : "${var.release_name}-atlas", 0, 40), "-")

  # values key -> component label; the migration Job is "migrate".
  components = {
    api           = "api"
    worker        = "worker"
    auditConsumer = "audit-consumer"
    indexer       = "indexer"
    migration     = "migrate"
  }
  service_accounts = { for key, c in local.components : c => "${local.fullname}-${c}" }

  # Google's load balancer and health-check ranges: the only sources of
  # traffic to the API's HTTP port, and the proxies whose X-Forwarded-For
  # Atlas believes.
  google_lb_ranges = ["35.191.0.0/16", "130.211.0.0/22"]

  component_values = {
    for key in ["api", "worker", "auditConsumer", "indexer"] : key => {
      replicaCount = var.replicas[key]
    }
  }

  values = {
    image = merge(
      { repository = var.image_repository },
      var.image_tag == "" ? {} : { tag = var.image_tag },
      var.image_digest == "" ? {} : { digest = var.image_digest },
    )
    serviceAccount = {
      create = true
      perComponent = {
        enabled = true
        annotations = {
          for key, c in local.components : key => {
            "iam.gke.io/gcp-service-account" = var.service_account_emails[c]
          }
        }
      }
    }
    config = merge(
      {
        dbMaxConns     = var.db_max_conns
        trustedProxies = local.google_lb_ranges
        # Cloud Logging's structured JSON, traces linked to Cloud Trace.
        logFormat  = "gcp"
        gcpProject = var.project_id
        otel       = { endpoint = var.otlp_endpoint }
      },
      length(var.admin_emails) == 0 ? {} : { adminEmails = var.admin_emails },
    )
    # Google's managed Kafka takes SASL_SSL only, with publicly trusted
    # certificates; each component authenticates as its own Google service
    # account (Workload Identity, roles/managedkafka.client) with OAUTHBEARER
    # tokens from Application Default Credentials.
    kafka = {
      brokers          = var.kafka_brokers
      securityProtocol = "SASL_SSL"
      sasl = {
        mechanism   = "OAUTHBEARER"
        oauthbearer = { method = "google" }
      }
    }
    elasticsearch = { url = var.elasticsearch_url }
    # The Secret's elasticsearch-api-key authenticates to Elastic Cloud (public certificate: no CA file).
    secret = {
      existingSecret = var.existing_secret
      keys           = { elasticsearchApiKey = "elasticsearch-api-key" }
    }
    cloudSqlProxy = {
      enabled                = true
      image                  = var.cloudsql_proxy_image
      instanceConnectionName = var.cloudsql_connection_name
      privateIp              = true
    }
    metrics = {
      podAnnotations = false
      podMonitoring  = { enabled = true }
    }
    api = merge(local.component_values.api, {
      ingress = {
        enabled   = true
        className = "gce"
        annotations = {
          "kubernetes.io/ingress.global-static-ip-name" = var.ingress_address_name
          "kubernetes.io/ingress.allow-http"            = "false"
        }
        hosts              = [{ host = var.host, paths = [{ path = "/", pathType = "Prefix" }] }]
        managedCertificate = { enabled = true }
      }
    })
    worker        = local.component_values.worker
    auditConsumer = local.component_values.auditConsumer
    indexer       = local.component_values.indexer
    networkPolicy = {
      enabled  = true
      httpFrom = [for cidr in local.google_lb_ranges : { ipBlock = { cidr = cidr } }]
      # Google Managed Prometheus scrapes from its collectors in gmp-system.
      opsFrom = [
        { namespaceSelector = { matchLabels = { "kubernetes.io/metadata.name" = "gmp-system" } } },
        { podSelector = {} },
      ]
    }
  }
}
