{{/*
Chart name, truncated to the 63 characters a label value allows.
*/}}
{{- define "atlas.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Fully qualified release name; object names are built from it. Kept to 40
characters so that "<fullname>-audit-consumer-<hash>-<suffix>" still fits.
*/}}
{{- define "atlas.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "atlas.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The process components: values key -> component label and `atlas` subcommand.
Every per-component template ranges over this list, in this order.
*/}}
{{- define "atlas.components" -}}
- {key: api, component: api, command: serve}
- {key: worker, component: worker, command: worker}
- {key: auditConsumer, component: audit-consumer, command: audit-consumer}
- {key: indexer, component: indexer, command: indexer}
{{- end -}}

{{/*
Standard labels on every object. Pass the root context.
*/}}
{{- define "atlas.labels" -}}
helm.sh/chart: {{ include "atlas.chart" . }}
{{ include "atlas.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: atlas
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "atlas.selectorLabels" -}}
app.kubernetes.io/name: {{ include "atlas.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Labels of one component's objects. Pass (dict "root" $ "component" "api").
*/}}
{{- define "atlas.componentLabels" -}}
{{ include "atlas.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "atlas.componentSelectorLabels" -}}
{{ include "atlas.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
Name of one component's objects. Pass (dict "root" $ "component" "api").
*/}}
{{- define "atlas.componentName" -}}
{{- printf "%s-%s" (include "atlas.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "atlas.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "atlas.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
ServiceAccount of one component's pods. Pass (dict "root" $ "key" "auditConsumer"
"component" "audit-consumer"); the migration Job is key "migration", component "migrate".
*/}}
{{- define "atlas.componentServiceAccountName" -}}
{{- $sa := .root.Values.serviceAccount -}}
{{- if and $sa.create $sa.perComponent.enabled -}}
{{- include "atlas.componentName" . -}}
{{- else -}}
{{- include "atlas.serviceAccountName" .root -}}
{{- end -}}
{{- end -}}

{{/*
The Cloud SQL Auth Proxy as a native sidecar (an init container with
restartPolicy Always); an initContainers list entry. Pass the root context.
*/}}
{{- define "atlas.cloudSqlProxy" -}}
{{- $es := .Values.elasticsearch -}}
{{- if and $es.ca.secretName $es.ca.configMapName -}}
{{- fail "elasticsearch.ca: set secretName or configMapName, not both" -}}
{{- end -}}
{{- $p := .Values.cloudSqlProxy -}}
- name: cloud-sql-proxy
  image: {{ $p.image }}
  imagePullPolicy: IfNotPresent
  restartPolicy: Always
  args:
    - {{ $p.instanceConnectionName | quote }}
    - "--address=127.0.0.1"
    - {{ printf "--port=%d" (int $p.port) | quote }}
    {{- if $p.privateIp }}
    - "--private-ip"
    {{- end }}
    {{- if $p.autoIamAuthn }}
    - "--auto-iam-authn"
    {{- end }}
    - "--structured-logs"
    - "--exit-zero-on-sigterm"
    - "--health-check"
    - "--http-address=0.0.0.0"
    - {{ printf "--http-port=%d" (int $p.healthPort) | quote }}
    {{- range $p.extraArgs }}
    - {{ . | quote }}
    {{- end }}
  ports:
    - name: sqlproxy-health
      containerPort: {{ $p.healthPort }}
      protocol: TCP
  startupProbe:
    httpGet: {path: /startup, port: sqlproxy-health}
    periodSeconds: 1
    timeoutSeconds: 2
    failureThreshold: 60
  livenessProbe:
    httpGet: {path: /liveness, port: sqlproxy-health}
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 3
  resources:
    {{- toYaml $p.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.containerSecurityContext | nindent 4 }}
{{- end -}}

{{- define "atlas.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "atlas.configMapName" -}}
{{- printf "%s-config" (include "atlas.fullname" .) -}}
{{- end -}}

{{- define "atlas.secretName" -}}
{{- .Values.secret.existingSecret | default (printf "%s-secrets" (include "atlas.fullname" .)) -}}
{{- end -}}

{{/*
Refuses to render a release Atlas could not start with. Schema checks
cover types and formats; these cover what depends on several values.
*/}}
{{- define "atlas.validate" -}}
{{- $s := .Values.secret -}}
{{- if not $s.existingSecret -}}
{{- if not $s.databaseUrl -}}
{{- fail "secret.databaseUrl is required (postgres://user:password@host:5432/atlas?sslmode=require), or set secret.existingSecret: the chart does not install Postgres" -}}
{{- end -}}
{{- if lt (len $s.jwtSecret) 32 -}}
{{- fail "secret.jwtSecret is required and must be at least 32 bytes (e.g. `openssl rand -hex 32`), or set secret.existingSecret" -}}
{{- end -}}
{{- else -}}
{{- if or (not $s.keys.databaseUrl) (not $s.keys.jwtSecret) -}}
{{- fail "secret.keys.databaseUrl and secret.keys.jwtSecret name required keys of secret.existingSecret and cannot be empty" -}}
{{- end -}}
{{- end -}}
{{- if eq (int .Values.ports.http) (int .Values.ports.ops) -}}
{{- fail "ports.http and ports.ops must differ" -}}
{{- end -}}
{{- if and (not .Values.config.passwordLogin) (not .Values.config.oidc) -}}
{{- fail "config.passwordLogin: false needs at least one provider in config.oidc, or nobody can sign in" -}}
{{- end -}}
{{- $providers := list -}}
{{- range $p := .Values.config.oidc -}}
{{- if has $p.name $providers -}}
{{- fail (printf "config.oidc: the provider name %q is used twice" $p.name) -}}
{{- end -}}
{{- $providers = append $providers $p.name -}}
{{- end -}}
{{- range $name, $_ := merge dict ($s.oidcClientSecrets | default dict) ($s.keys.oidcClientSecrets | default dict) -}}
{{- if not (has $name $providers) -}}
{{- fail (printf "secret: an OpenID Connect client secret for %q, which is not a provider of config.oidc" $name) -}}
{{- end -}}
{{- end -}}
{{- $any := false -}}
{{- range $c := include "atlas.components" . | fromYamlArray -}}
{{- $v := index $.Values $c.key -}}
{{- if $v.enabled -}}
{{- $any = true -}}
{{- $pdb := $v.podDisruptionBudget -}}
{{- if and $pdb.enabled (kindIs "invalid" $pdb.minAvailable) (kindIs "invalid" $pdb.maxUnavailable) -}}
{{- fail (printf "%s.podDisruptionBudget: set minAvailable or maxUnavailable" $c.key) -}}
{{- end -}}
{{- if and $v.autoscaling.enabled (not (or $v.autoscaling.targetCPUUtilizationPercentage $v.autoscaling.targetMemoryUtilizationPercentage)) -}}
{{- fail (printf "%s.autoscaling: set targetCPUUtilizationPercentage and/or targetMemoryUtilizationPercentage" $c.key) -}}
{{- end -}}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) -}}
{{- fail (printf "%s.autoscaling: minReplicas (%d) is above maxReplicas (%d)" $c.key (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not $any -}}
{{- fail "every component is disabled (api, worker, auditConsumer, indexer): enable at least one" -}}
{{- end -}}
{{- $p := .Values.cloudSqlProxy -}}
{{- if and $p.enabled (not (regexMatch "^[^:]+:[^:]+:[^:]+$" $p.instanceConnectionName)) -}}
{{- fail "cloudSqlProxy.instanceConnectionName is required with cloudSqlProxy.enabled: PROJECT:REGION:INSTANCE" -}}
{{- end -}}
{{- if and $p.enabled (has (int $p.port) (list (int .Values.ports.http) (int .Values.ports.ops))) -}}
{{- fail "cloudSqlProxy.port must differ from ports.http and ports.ops" -}}
{{- end -}}
{{- if and $p.enabled (has (int $p.healthPort) (list (int .Values.ports.http) (int .Values.ports.ops) (int $p.port))) -}}
{{- fail "cloudSqlProxy.healthPort must differ from ports.http, ports.ops and cloudSqlProxy.port" -}}
{{- end -}}
{{- if and .Values.serviceAccount.perComponent.enabled (not .Values.serviceAccount.create) -}}
{{- fail "serviceAccount.perComponent.enabled needs serviceAccount.create" -}}
{{- end -}}
{{- if and .Values.api.ingress.managedCertificate.enabled (not .Values.api.ingress.enabled) -}}
{{- fail "api.ingress.managedCertificate.enabled needs api.ingress.enabled" -}}
{{- end -}}
{{- $k := .Values.kafka -}}
{{- $sasl := $k.sasl -}}
{{- if and $sasl.mechanism (not (has $k.securityProtocol (list "SASL_SSL" "SASL_PLAINTEXT"))) -}}
{{- fail (printf "kafka.sasl.mechanism %s needs kafka.securityProtocol SASL_SSL or SASL_PLAINTEXT" $sasl.mechanism) -}}
{{- end -}}
{{- if and (has $k.securityProtocol (list "SASL_SSL" "SASL_PLAINTEXT")) (not $sasl.mechanism) -}}
{{- fail (printf "kafka.securityProtocol %s needs kafka.sasl.mechanism" $k.securityProtocol) -}}
{{- end -}}
{{- if and $k.caConfigMap (not (has $k.securityProtocol (list "SSL" "SASL_SSL"))) -}}
{{- fail "kafka.caConfigMap needs kafka.securityProtocol SSL or SASL_SSL" -}}
{{- end -}}
{{- if has $sasl.mechanism (list "PLAIN" "SCRAM-SHA-256" "SCRAM-SHA-512") -}}
{{- if not $sasl.username -}}
{{- fail (printf "kafka.sasl.username is required with kafka.sasl.mechanism %s" $sasl.mechanism) -}}
{{- end -}}
{{- if not (or (and $s.existingSecret $s.keys.kafkaSaslPassword) $s.kafkaSaslPassword) -}}
{{- fail (printf "secret.kafkaSaslPassword is required with kafka.sasl.mechanism %s (or secret.existingSecret with secret.keys.kafkaSaslPassword)" $sasl.mechanism) -}}
{{- end -}}
{{- end -}}
{{- if eq $sasl.mechanism "OAUTHBEARER" -}}
{{- if not $sasl.oauthbearer.method -}}
{{- fail "kafka.sasl.oauthbearer.method is required with kafka.sasl.mechanism OAUTHBEARER: google or oidc" -}}
{{- end -}}
{{- if eq $sasl.oauthbearer.method "unsecured-jwt" -}}
{{- fail "kafka.sasl.oauthbearer.method unsecured-jwt is for local brokers only; Atlas refuses it in production (the chart's ATLAS_ENV)" -}}
{{- end -}}
{{- if and (eq $sasl.oauthbearer.method "oidc") (not (and $sasl.oauthbearer.tokenUrl $sasl.oauthbearer.clientId (or (and $s.existingSecret $s.keys.kafkaOAuthClientSecret) $s.kafkaOAuthClientSecret))) -}}
{{- fail "kafka.sasl.oauthbearer.method oidc needs tokenUrl, clientId and secret.kafkaOAuthClientSecret (or secret.existingSecret with secret.keys.kafkaOAuthClientSecret)" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.api.ingress.enabled (not .Values.api.enabled) -}}
{{- fail "api.ingress.enabled needs api.enabled" -}}
{{- end -}}
{{- end -}}

{{/*
The secret files: a list of {env, key} for the keys that exist, env being
the variable Atlas reads (it gets the _FILE suffix in the pod).
*/}}
{{- define "atlas.secretFiles" -}}
{{- $s := .Values.secret -}}
{{- $files := list -}}
{{- $files = append $files (dict "env" "ATLAS_DATABASE_URL" "key" $s.keys.databaseUrl) -}}
{{- $files = append $files (dict "env" "ATLAS_JWT_SECRET" "key" $s.keys.jwtSecret) -}}
{{- if and $s.keys.cursorSecret (or $s.existingSecret $s.cursorSecret) -}}
{{- $files = append $files (dict "env" "ATLAS_CURSOR_SECRET" "key" $s.keys.cursorSecret) -}}
{{- end -}}
{{- if and $s.keys.riverUIPassword (or $s.existingSecret $s.riverUIPassword) -}}
{{- $files = append $files (dict "env" "ATLAS_RIVERUI_PASSWORD" "key" $s.keys.riverUIPassword) -}}
{{- end -}}
{{- range $e := include "atlas.elasticsearchSecrets" . | fromYamlArray -}}
{{- $files = append $files (dict "env" $e.env "key" $e.key) -}}
{{- end -}}
{{- $sasl := .Values.kafka.sasl -}}
{{- if and $s.keys.kafkaSaslPassword (has $sasl.mechanism (list "PLAIN" "SCRAM-SHA-256" "SCRAM-SHA-512")) -}}
{{- $files = append $files (dict "env" "ATLAS_KAFKA_SASL_PASSWORD" "key" $s.keys.kafkaSaslPassword) -}}
{{- end -}}
{{- if and $s.keys.kafkaOAuthClientSecret (eq $sasl.mechanism "OAUTHBEARER") (eq $sasl.oauthbearer.method "oidc") -}}
{{- $files = append $files (dict "env" "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET" "key" $s.keys.kafkaOAuthClientSecret) -}}
{{- end -}}
{{- range $o := include "atlas.oidcSecrets" . | fromYamlArray -}}
{{- $files = append $files (dict "env" $o.env "key" $o.key) -}}
{{- end -}}
{{- toYaml $files -}}
{{- end -}}

{{/*
The OpenID Connect client secrets: a list of {env, key, value}, for the
providers of config.oidc that have one (secret.keys.oidcClientSecrets in an
existing Secret; secret.oidcClientSecrets in the chart's, as
oidc-<name>-client-secret).
*/}}
{{- define "atlas.oidcSecrets" -}}
{{- $s := .Values.secret -}}
{{- $out := list -}}
{{- range $p := .Values.config.oidc -}}
{{- $env := printf "ATLAS_OIDC_%s_CLIENT_SECRET" (upper $p.name) -}}
{{- if $s.existingSecret -}}
{{- with index ($s.keys.oidcClientSecrets | default dict) $p.name -}}
{{- $out = append $out (dict "env" $env "key" .) -}}
{{- end -}}
{{- else -}}
{{- with index ($s.oidcClientSecrets | default dict) $p.name -}}
{{- $out = append $out (dict "env" $env "key" (printf "oidc-%s-client-secret" $p.name) "value" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
Data of the chart's Secret (and of the migration hook's copy of it).
*/}}
{{- define "atlas.secretData" -}}
{{- $s := .Values.secret -}}
{{ $s.keys.databaseUrl }}: {{ $s.databaseUrl | b64enc | quote }}
{{ $s.keys.jwtSecret }}: {{ $s.jwtSecret | b64enc | quote }}
{{- if and $s.keys.cursorSecret $s.cursorSecret }}
{{ $s.keys.cursorSecret }}: {{ $s.cursorSecret | b64enc | quote }}
{{- end }}
{{- if and $s.keys.riverUIPassword $s.riverUIPassword }}
{{ $s.keys.riverUIPassword }}: {{ $s.riverUIPassword | b64enc | quote }}
{{- end }}
{{- range $e := include "atlas.elasticsearchSecrets" . | fromYamlArray }}
{{- if $e.value }}
{{ $e.key }}: {{ $e.value | b64enc | quote }}
{{- end }}
{{- end }}
{{- if and $s.keys.kafkaSaslPassword $s.kafkaSaslPassword }}
{{ $s.keys.kafkaSaslPassword }}: {{ $s.kafkaSaslPassword | b64enc | quote }}
{{- end }}
{{- if and $s.keys.kafkaOAuthClientSecret $s.kafkaOAuthClientSecret }}
{{ $s.keys.kafkaOAuthClientSecret }}: {{ $s.kafkaOAuthClientSecret | b64enc | quote }}
{{- end }}
{{- range $o := include "atlas.oidcSecrets" . | fromYamlArray }}
{{ $o.key }}: {{ $o.value | b64enc | quote }}
{{- end }}
{{- end -}}

{{/*
The Elasticsearch credentials in the Secret: a list of {env, key, value}. In
an existing Secret, the keys secret.keys.elasticsearch* name; in the chart's,
elasticsearch-password and elasticsearch-api-key when their values are set.
*/}}
{{- define "atlas.elasticsearchSecrets" -}}
{{- $s := .Values.secret -}}
{{- $out := list -}}
{{- range $e := list (dict "env" "ATLAS_ELASTICSEARCH_PASSWORD" "key" $s.keys.elasticsearchPassword "default" "elasticsearch-password" "value" $s.elasticsearchPassword) (dict "env" "ATLAS_ELASTICSEARCH_API_KEY" "key" $s.keys.elasticsearchApiKey "default" "elasticsearch-api-key" "value" $s.elasticsearchApiKey) (dict "env" "ATLAS_SMTP_PASSWORD" "key" $s.keys.smtpPassword "default" "smtp-password" "value" $s.smtpPassword) -}}
{{- if and $s.existingSecret $e.key -}}
{{- $out = append $out (dict "env" $e.env "key" $e.key) -}}
{{- else if and (not $s.existingSecret) $e.value -}}
{{- $out = append $out (dict "env" $e.env "key" ($e.key | default $e.default) "value" $e.value) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
The volume of the Elasticsearch CA file, when one is configured.
*/}}
{{- define "atlas.elasticsearchCAVolume" -}}
{{- $ca := .Values.elasticsearch.ca -}}
{{- if $ca.secretName }}
- name: elasticsearch-ca
  secret:
    secretName: {{ $ca.secretName }}
    defaultMode: 0444
    items:
      - key: {{ $ca.key }}
        path: ca.crt
{{- else if $ca.configMapName }}
- name: elasticsearch-ca
  configMap:
    name: {{ $ca.configMapName }}
    defaultMode: 0444
    items:
      - key: {{ $ca.key }}
        path: ca.crt
{{- end }}
{{- end -}}

{{/* Where the Elasticsearch CA file is mounted. */}}
{{- define "atlas.elasticsearchCADir" -}}/etc/atlas/elasticsearch-ca{{- end -}}

{{/*
The ATLAS_* settings of the ConfigMap (and of the migration Job, which runs
before the ConfigMap exists).
*/}}
{{- define "atlas.configData" -}}
ATLAS_ENV: "production"
ATLAS_LOG_LEVEL: {{ .Values.config.logLevel | quote }}
ATLAS_LOG_FORMAT: {{ .Values.config.logFormat | quote }}
{{- with .Values.config.gcpProject }}
ATLAS_GCP_PROJECT: {{ . | quote }}
{{- end }}
{{- with .Values.config.otel.endpoint }}
ATLAS_OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
ATLAS_OTEL_SERVICE_NAME: {{ .Values.config.otel.serviceName | quote }}
ATLAS_OTEL_TRACES_SAMPLER_RATIO: {{ .Values.config.otel.samplerRatio | toString | quote }}
ATLAS_HTTP_ADDR: {{ printf ":%d" (int .Values.ports.http) | quote }}
ATLAS_OPS_ADDR: {{ printf ":%d" (int .Values.ports.ops) | quote }}
ATLAS_SHUTDOWN_DELAY: {{ .Values.config.shutdownDelay | quote }}
ATLAS_DB_MAX_CONNS: {{ .Values.config.dbMaxConns | int64 | toString | quote }}
ATLAS_JWT_ISSUER: {{ .Values.config.jwtIssuer | quote }}
ATLAS_TOKEN_TTL: {{ .Values.config.tokenTTL | quote }}
ATLAS_SESSION_IDLE_TTL: {{ .Values.config.sessionIdleTTL | quote }}
ATLAS_SESSION_MAX_TTL: {{ .Values.config.sessionMaxTTL | quote }}
ATLAS_KAFKA_BROKERS: {{ .Values.kafka.brokers | quote }}
ATLAS_KAFKA_TOPIC_EVENTS: {{ .Values.kafka.topics.events | quote }}
ATLAS_KAFKA_TOPIC_DLQ: {{ .Values.kafka.topics.deadLetter | quote }}
{{- include "atlas.kafkaSecurityConfig" . }}
ATLAS_ELASTICSEARCH_URL: {{ .Values.elasticsearch.url | quote }}
{{- with .Values.elasticsearch.alias }}
ATLAS_ELASTICSEARCH_ALIAS: {{ . | quote }}
{{- end }}
{{- with .Values.elasticsearch.username }}
ATLAS_ELASTICSEARCH_USERNAME: {{ . | quote }}
{{- end }}
{{- if or .Values.elasticsearch.ca.secretName .Values.elasticsearch.ca.configMapName }}
ATLAS_ELASTICSEARCH_CA_FILE: {{ printf "%s/ca.crt" (include "atlas.elasticsearchCADir" .) | quote }}
{{- end }}
ATLAS_ENRICH_TIMEOUT: {{ .Values.config.enrichTimeout | quote }}
ATLAS_ENRICH_CONNECT_TIMEOUT: {{ .Values.config.enrichConnectTimeout | quote }}
{{- with .Values.config.fetchAllow }}
ATLAS_FETCH_ALLOW: {{ join "," . | quote }}
{{- end }}
ATLAS_WEBHOOK_TIMEOUT: {{ .Values.config.webhookTimeout | quote }}
ATLAS_WEBHOOK_RETENTION: {{ .Values.config.webhookRetention | quote }}
{{- with .Values.config.adminEmails }}
ATLAS_ADMIN_EMAILS: {{ join "," . | quote }}
{{- end }}
ATLAS_RATE_LIMIT_ENABLED: {{ .Values.config.rateLimit.enabled | toString | quote }}
ATLAS_RATE_LIMIT_AUTH_PER_MINUTE: {{ .Values.config.rateLimit.authPerMinute | int64 | toString | quote }}
ATLAS_RATE_LIMIT_REFRESH_PER_MINUTE: {{ .Values.config.rateLimit.refreshPerMinute | int64 | toString | quote }}
ATLAS_RATE_LIMIT_USER_PER_MINUTE: {{ .Values.config.rateLimit.userPerMinute | int64 | toString | quote }}
ATLAS_RATE_LIMIT_PUBLIC_PER_MINUTE: {{ .Values.config.rateLimit.publicPerMinute | int64 | toString | quote }}
{{- with .Values.config.trustedProxies }}
ATLAS_TRUSTED_PROXIES: {{ join "," . | quote }}
{{- end }}
{{- with .Values.config.corsOrigins }}
ATLAS_CORS_ORIGINS: {{ join "," . | quote }}
{{- end }}
ATLAS_MAX_BODY_BYTES: {{ .Values.config.maxBodyBytes | int64 | toString | quote }}
ATLAS_IMPORT_MAX_BYTES: {{ .Values.config.importMaxBytes | int64 | toString | quote }}
ATLAS_IMPORT_ENRICH_WORKERS: {{ .Values.config.importEnrichWorkers | int64 | toString | quote }}
ATLAS_AUTH_PASSWORD_LOGIN: {{ .Values.config.passwordLogin | toString | quote }}
{{- range $p := .Values.config.oidc }}
{{- $pre := printf "ATLAS_OIDC_%s_" (upper $p.name) }}
{{ $pre }}ISSUER: {{ $p.issuer | quote }}
{{ $pre }}CLIENT_ID: {{ $p.clientId | quote }}
{{- with $p.displayName }}
{{ $pre }}DISPLAY_NAME: {{ . | quote }}
{{- end }}
{{- with $p.scopes }}
{{ $pre }}SCOPES: {{ join " " . | quote }}
{{- end }}
{{- with $p.allowedDomains }}
{{ $pre }}ALLOWED_DOMAINS: {{ join "," . | quote }}
{{- end }}
{{- with $p.requiredGroup }}
{{ $pre }}REQUIRED_GROUP: {{ . | quote }}
{{- end }}
{{- end }}
{{- with .Values.config.publicURL }}
ATLAS_PUBLIC_URL: {{ . | quote }}
{{- end }}
{{- with .Values.config.smtp }}
{{- if .host }}
ATLAS_SMTP_HOST: {{ .host | quote }}
ATLAS_SMTP_PORT: {{ .port | int64 | toString | quote }}
ATLAS_SMTP_TLS: {{ .tls | quote }}
ATLAS_SMTP_FROM: {{ .from | quote }}
{{- with .username }}
ATLAS_SMTP_USERNAME: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.config.archive }}
{{- if eq .store "disk" }}
ATLAS_ARCHIVE_DIR: {{ .disk.mountPath | quote }}
{{- else if eq .store "gcs" }}
ATLAS_ARCHIVE_GCS_BUCKET: {{ required "config.archive.gcsBucket is required with config.archive.store=gcs" .gcsBucket | quote }}
{{- end }}
ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM: {{ .maxBytesPerItem | int64 | toString | quote }}
ATLAS_ARCHIVE_MAX_RESOURCE_BYTES: {{ .maxResourceBytes | int64 | toString | quote }}
ATLAS_ARCHIVE_TIMEOUT: {{ .timeout | quote }}
{{- end }}
ATLAS_LINKCHECK_INTERVAL: {{ .Values.config.linkCheck.interval | toString | quote }}
ATLAS_LINKCHECK_HOST_INTERVAL: {{ .Values.config.linkCheck.hostInterval | toString | quote }}
ATLAS_LINKCHECK_CONCURRENCY: {{ .Values.config.linkCheck.concurrency | int64 | toString | quote }}
{{- range $k, $v := .Values.config.extraEnv }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{/*
Kafka's TLS and SASL settings in the ConfigMap (the secrets are files).
*/}}
{{- define "atlas.kafkaSecurityConfig" -}}
{{- $k := .Values.kafka -}}
{{- $o := $k.sasl.oauthbearer }}
ATLAS_KAFKA_SECURITY_PROTOCOL: {{ $k.securityProtocol | quote }}
{{- if $k.caConfigMap }}
ATLAS_KAFKA_CA_FILE: {{ printf "%s/%s" (include "atlas.kafkaCAPath" .) $k.caConfigMapKey | quote }}
{{- end }}
{{- with $k.sasl.mechanism }}
ATLAS_KAFKA_SASL_MECHANISM: {{ . | quote }}
{{- end }}
{{- with $k.sasl.username }}
ATLAS_KAFKA_SASL_USERNAME: {{ . | quote }}
{{- end }}
{{- with $o.method }}
ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: {{ . | quote }}
{{- end }}
{{- with $o.principal }}
ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL: {{ . | quote }}
{{- end }}
{{- with $o.tokenUrl }}
ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL: {{ . | quote }}
{{- end }}
{{- with $o.clientId }}
ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_ID: {{ . | quote }}
{{- end }}
{{- with $o.scope }}
ATLAS_KAFKA_SASL_OAUTHBEARER_SCOPE: {{ . | quote }}
{{- end }}
{{- end -}}

{{- define "atlas.kafkaCAPath" -}}/etc/atlas/kafka-ca{{- end -}}

{{/*
The Kafka CA bundle's volume, when kafka.caConfigMap names one.
*/}}
{{- define "atlas.kafkaCAVolume" -}}
{{- with .Values.kafka.caConfigMap }}
- name: kafka-ca
  configMap:
    name: {{ . }}
    items:
      - key: {{ $.Values.kafka.caConfigMapKey }}
        path: {{ $.Values.kafka.caConfigMapKey }}
{{- end }}
{{- end -}}

{{/*
Env entries pointing Atlas at the mounted secret files.
*/}}
{{- define "atlas.secretFileEnv" -}}
{{- range include "atlas.secretFiles" . | fromYamlArray }}
- name: {{ .env }}_FILE
  value: {{ printf "%s/%s" $.Values.secret.mountPath .key | quote }}
{{- end }}
{{- end -}}

{{/*
The secret volume; pass (dict "root" $ "secretName" "...").
*/}}
{{- define "atlas.secretVolume" -}}
- name: secrets
  secret:
    secretName: {{ .secretName }}
    defaultMode: 0440
    items:
      {{- range include "atlas.secretFiles" .root | fromYamlArray }}
      - key: {{ .key }}
        path: {{ .key }}
      {{- end }}
{{- end -}}

{{/*
Mounts shared by every Atlas container.
*/}}
{{- define "atlas.volumeMounts" -}}
- name: secrets
  mountPath: {{ .Values.secret.mountPath }}
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- if or .Values.elasticsearch.ca.secretName .Values.elasticsearch.ca.configMapName }}
- name: elasticsearch-ca
  mountPath: {{ include "atlas.elasticsearchCADir" . }}
  readOnly: true
{{- end }}
{{- if .Values.kafka.caConfigMap }}
- name: kafka-ca
  mountPath: {{ include "atlas.kafkaCAPath" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "atlas.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- include "atlas.elasticsearchCAVolume" . }}
{{- end -}}

{{/*
Checksums that roll the pods when their configuration changes. An
existingSecret is not seen by the chart: roll the pods yourself (or use a
reloader) when it changes.
*/}}
{{- define "atlas.checksums" -}}
checksum/config: {{ include "atlas.configData" . | sha256sum }}
{{- if not .Values.secret.existingSecret }}
checksum/secret: {{ include "atlas.secretData" . | sha256sum }}
{{- end }}
{{- end -}}

{{/*
The archive's claim name, and its volume and mount (store "disk" only; the
migration Job, a hook that runs before the claim exists, does not mount it).
*/}}
{{- define "atlas.archiveClaimName" -}}
{{- .Values.config.archive.disk.existingClaim | default (printf "%s-archive" (include "atlas.fullname" .)) -}}
{{- end -}}

{{- define "atlas.archiveVolume" -}}
{{- if eq .Values.config.archive.store "disk" }}
- name: archive
  persistentVolumeClaim:
    claimName: {{ include "atlas.archiveClaimName" . }}
{{- end }}
{{- end -}}

{{- define "atlas.archiveVolumeMount" -}}
{{- if eq .Values.config.archive.store "disk" }}
- name: archive
  mountPath: {{ .Values.config.archive.disk.mountPath }}
{{- end }}
{{- end -}}
