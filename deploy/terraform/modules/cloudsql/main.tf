# Postgres 16 for Atlas: private IP only (no public address at all), TLS
# with a client certificate on every connection (ssl_mode), IAM database
# authentication on, daily backups with point-in-time recovery, deletion
# protection, and a standby in a second zone when high_availability is set. Pods reach it through the
# Cloud SQL Auth Proxy sidecar of the chart (IAM-authorised, encrypted).

resource "google_sql_database_instance" "this" {
  # checkov:skip=CKV_GCP_79:Atlas is built and tested on Postgres 16 (the issue's choice); move to a newer major only with its tests.
  # checkov:skip=CKV2_GCP_13:log_duration logs one line per statement, far too much for Cloud Logging's cost; Query Insights (insights_config) records statement latency instead.
  project             = var.project_id
  name                = var.name
  region              = var.region
  database_version    = "POSTGRES_16"
  deletion_protection = var.deletion_protection

  settings {
    tier                        = var.tier
    edition                     = var.edition
    availability_type           = var.high_availability ? "REGIONAL" : "ZONAL"
    disk_type                   = "PD_SSD"
    disk_size                   = var.disk_size_gb
    disk_autoresize             = true
    deletion_protection_enabled = var.deletion_protection
    user_labels                 = var.labels

    ip_configuration {
      ipv4_enabled                                  = false
      private_network                               = var.private_network
      ssl_mode                                      = var.ssl_mode
      enable_private_path_for_google_cloud_services = true
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
      start_time                     = var.backup_start_time
      transaction_log_retention_days = var.transaction_log_retention_days
      backup_retention_settings {
        retained_backups = var.retained_backups
        retention_unit   = "COUNT"
      }
    }

    maintenance_window {
      day          = 7
      hour         = 3
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled  = true
      query_string_length     = 1024
      record_application_tags = false
      record_client_address   = false
    }

    # IAM database authentication.
    database_flags {
      name  = "cloudsql.iam_authentication"
      value = "on"
    }

    database_flags {
      name  = "max_connections"
      value = tostring(var.max_connections)
    }

    # The logging an audit of a managed Postgres expects.
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }

    database_flags {
      name  = "log_connections"
      value = "on"
    }

    database_flags {
      name  = "log_disconnections"
      value = "on"
    }

    database_flags {
      name  = "log_hostname"
      value = "on"
    }

    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }

    database_flags {
      name  = "log_temp_files"
      value = "0"
    }

    database_flags {
      name  = "log_min_messages"
      value = "error"
    }

    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }

    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }

    database_flags {
      name  = "log_statement"
      value = "ddl"
    }

    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }

    database_flags {
      name  = "pgaudit.log"
      value = "ddl,role"
    }
  }
}

resource "google_sql_database" "atlas" {
  project  = var.project_id
  instance = google_sql_database_instance.this.name
  name     = "atlas"
}

# One IAM database user per Atlas service account: a principal logs in with
# an OAuth token instead of a password. (Postgres user names of service
# accounts drop the .gserviceaccount.com suffix.)
resource "google_sql_user" "iam" {
  for_each = toset(var.iam_service_accounts)
  project  = var.project_id
  instance = google_sql_database_instance.this.name
  name     = trimsuffix(each.value, ".gserviceaccount.com")
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}
