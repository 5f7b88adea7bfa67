#!/usr/bin/env python3
"""Writes helm/atlas/values.schema.json, the JSON schema of the chart's values.

The schema is generated so that the four components share one definition
(the api adds its Service and Ingress). Edit this file, then run
`python3 helm/tests/schema.py > helm/atlas/values.schema.json`; scripts/helm
check fails while the two differ.
"""
import copy
import json
import sys


def obj(props: dict, required: list | None = None, extra: bool = False, **kw) -> dict:
    """An object with these properties; unknown keys are errors unless extra."""
    o = {"type": "object", "properties": props, "additionalProperties": extra}
    if required:
        o["required"] = required
    o.update(kw)
    return o


def S(**kw) -> dict:  # noqa: N802 (short names keep the schema readable)
    """A string, with constraints."""
    return {"type": "string", **kw}


def I(**kw) -> dict:  # noqa: N802,E743
    """An integer, with constraints."""
    return {"type": "integer", **kw}


def secret_value(min_len: int, what: str) -> dict:
    """An optional secret: empty, or at least min_len bytes."""
    return {"type": "string", "description": what, "anyOf": [{"maxLength": 0}, {"minLength": min_len}]}


B = {"type": "boolean"}
MAP = {"type": "object", "additionalProperties": {"type": "string"}}  # labels, annotations, selectors
ANYOBJ = {"type": "object"}  # Kubernetes structures passed through as they are
LIST_OBJ = {"type": "array", "items": {"type": "object"}}
K8S_NAME = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$"  # a Secret or ConfigMap name, or empty
duration = S(pattern=r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$", description="Go duration, e.g. 15s, 1h")
intOrPercent = {"oneOf": [I(minimum=0), S(pattern=r"^[0-9]+%$")]}
port = I(minimum=1, maximum=65535)
envVarList = {"type": "array", "items": obj({"name": S(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"), "value": S(), "valueFrom": ANYOBJ}, required=["name"])}
probe = {"type": "object", "description": "A Kubernetes Probe (null or {} to disable)",
         "properties": {"httpGet": ANYOBJ, "tcpSocket": ANYOBJ, "exec": ANYOBJ, "grpc": ANYOBJ,
             "initialDelaySeconds": I(minimum=0), "periodSeconds": I(minimum=1), "timeoutSeconds": I(minimum=1),
             "successThreshold": I(minimum=1), "failureThreshold": I(minimum=1), "terminationGracePeriodSeconds": I(minimum=1)},
         "additionalProperties": False}
probeOrNull = {"oneOf": [{"type": "null"}, probe]}
resources = obj({"requests": ANYOBJ, "limits": ANYOBJ, "claims": LIST_OBJ})
# The shape every process component shares (api, worker, auditConsumer, indexer).
component = obj({
    "enabled": B,
    "replicaCount": I(minimum=0),
    "resources": resources,
    "autoscaling": obj({
        "enabled": B, "minReplicas": I(minimum=1), "maxReplicas": I(minimum=1),
        "targetCPUUtilizationPercentage": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
        "targetMemoryUtilizationPercentage": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
        "behavior": ANYOBJ}, required=["enabled", "minReplicas", "maxReplicas"]),
    "podDisruptionBudget": obj({"enabled": B,
        "minAvailable": {"oneOf": [{"type": "null"}, I(minimum=0), S(pattern=r"^[0-9]+%$")]},
        "maxUnavailable": {"oneOf": [{"type": "null"}, I(minimum=0), S(pattern=r"^[0-9]+%$")]}}, required=["enabled"]),
    "strategy": obj({"type": S(enum=["RollingUpdate", "Recreate"]),
        "rollingUpdate": obj({"maxSurge": intOrPercent, "maxUnavailable": intOrPercent})}),
    "livenessProbe": probeOrNull, "readinessProbe": probeOrNull, "startupProbe": probeOrNull,
    "lifecycle": ANYOBJ,
    "terminationGracePeriodSeconds": I(minimum=0),
    "extraEnv": envVarList,
    "podAnnotations": MAP, "podLabels": MAP, "nodeSelector": MAP,
    "tolerations": LIST_OBJ, "affinity": ANYOBJ, "priorityClassName": S(),
    "topologySpreadConstraints": LIST_OBJ,
}, required=["enabled", "replicaCount", "resources", "autoscaling", "podDisruptionBudget"])
# The api adds its Service and Ingress.
api = copy.deepcopy(component)
api["properties"]["service"] = obj({"type": S(enum=["ClusterIP", "NodePort", "LoadBalancer"]), "port": port, "annotations": MAP}, required=["type", "port"])
api["properties"]["ingress"] = obj({
    "enabled": B, "className": S(), "annotations": MAP,
    "hosts": {"type": "array", "items": obj({"host": S(minLength=1),
        "paths": {"type": "array", "minItems": 1, "items": obj({"path": S(pattern="^/"),
            "pathType": S(enum=["Prefix", "Exact", "ImplementationSpecific"])}, required=["path", "pathType"])}}, required=["host", "paths"])},
    "tls": {"type": "array", "items": obj({"secretName": S(), "hosts": {"type": "array", "items": S()}}, required=["hosts"])},
    "managedCertificate": obj({"enabled": B}),
}, required=["enabled"])
schema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Atlas chart values",
  "type": "object",
  "additionalProperties": False,
  "definitions": {"component": component},
  "properties": {
    "global": ANYOBJ,
    "image": obj({"repository": S(minLength=1), "tag": S(), "digest": S(pattern=r"^(|sha256:[a-f0-9]{64})$"),
        "pullPolicy": S(enum=["Always", "IfNotPresent", "Never"])}, required=["repository"]),
    "imagePullSecrets": {"type": "array", "items": obj({"name": S(minLength=1)}, required=["name"])},
    "nameOverride": S(maxLength=40), "fullnameOverride": S(maxLength=40),
    "commonLabels": MAP,
    "serviceAccount": obj({"create": B, "name": S(), "annotations": MAP, "automountServiceAccountToken": B,
        "perComponent": obj({"enabled": B,
            "annotations": obj({k: MAP for k in ["api", "worker", "auditConsumer", "indexer", "migration"]})})}),
    "cloudSqlProxy": obj({"enabled": B, "image": S(minLength=1),
        "instanceConnectionName": S(pattern=r"^(|[^:\s]+:[a-z]+-[a-z]+[0-9]+:[^:\s]+)$", description="PROJECT:REGION:INSTANCE"),
        "privateIp": B, "autoIamAuthn": B, "port": port, "healthPort": port, "resources": resources,
        "extraArgs": {"type": "array", "items": S(pattern="^--")}}),
    "ports": obj({"http": port, "ops": port}, required=["http", "ops"]),
    "config": obj({
        "logLevel": S(enum=["debug", "info", "warn", "error"]),
        "logFormat": S(enum=["json", "gcp", "text"]),
        "gcpProject": S(),
        "otel": obj({"endpoint": S(pattern=r"^(https?://[^/\s]+.*)?$"), "serviceName": S(minLength=1),
            "samplerRatio": {"type": "number", "minimum": 0, "maximum": 1}}),
        "jwtIssuer": S(minLength=1), "tokenTTL": duration, "sessionIdleTTL": duration, "sessionMaxTTL": duration,
        "shutdownDelay": duration,
        "dbMaxConns": I(minimum=1, maximum=1000),
        "enrichTimeout": duration, "enrichConnectTimeout": duration,
        "fetchAllow": {"type": "array", "description": "Host names, IP addresses and CIDR networks (ATLAS_FETCH_ALLOW)",
                       "items": S(pattern=r"^[^,\s]+$")},
        "webhookTimeout": duration, "webhookRetention": duration,
        "adminEmails": {"type": "array", "items": S(pattern=r"^[^@\s,]+@[^@\s,]+$")},
        "rateLimit": obj({"enabled": B, "authPerMinute": I(minimum=1, maximum=10000),
            "refreshPerMinute": I(minimum=1, maximum=100000),
            "userPerMinute": I(minimum=1, maximum=1000000), "publicPerMinute": I(minimum=1, maximum=1000000)},
            required=["enabled", "authPerMinute", "refreshPerMinute", "userPerMinute", "publicPerMinute"]),
        "trustedProxies": {"type": "array", "items": S(pattern=r"^[0-9a-fA-F:.]+(/[0-9]{1,3})?$")},
        "corsOrigins": {"type": "array", "items": S(pattern=r"^https?://[^/\s,]+$")},
        "maxBodyBytes": I(minimum=1024),
        "importMaxBytes": I(minimum=1024, maximum=1073741824),
        "importEnrichWorkers": I(minimum=1, maximum=100),
        "passwordLogin": B,
        "oidc": {"type": "array", "items": obj({
            "name": S(pattern=r"^[a-z0-9]{1,40}$", description="the provider's id in /api/v1/auth/oidc/<name>/..."),
            "issuer": S(pattern=r"^https?://[^/\s]+.*$"), "clientId": S(minLength=1),
            "displayName": S(maxLength=100), "scopes": {"type": "array", "items": S(pattern=r"^[!#-\[\]-~]+$")},
            "allowedDomains": {"type": "array", "items": S(pattern=r"^[a-z0-9.-]+$")}, "requiredGroup": S(),
        }, required=["name", "issuer", "clientId"])},
        "publicURL": S(pattern=r"^(https?://[^/\s]+.*)?$", description="ATLAS_PUBLIC_URL: the base of the links in emails"),
        "smtp": obj({"host": S(), "port": port, "tls": S(enum=["starttls", "tls", "none"]), "username": S(),
            "from": S(description="sender: Atlas <atlas@example.com>")}),
        "archive": obj({"store": S(enum=["", "disk", "gcs"]),
            "gcsBucket": S(pattern=r"^([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])?$"),
            "disk": obj({"existingClaim": S(), "size": S(pattern=r"^[0-9]+(Ki|Mi|Gi|Ti)$"), "storageClassName": S(),
                "accessModes": {"type": "array", "minItems": 1, "items": S(enum=["ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod"])},
                "mountPath": S(pattern="^/")}),
            "maxBytesPerItem": I(minimum=65536, maximum=1073741824),
            "maxResourceBytes": I(minimum=16384, maximum=1073741824),
            "timeout": duration}),
        "linkCheck": obj({"interval": S(pattern=r"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$", description="Go duration; 0 turns the checker off"),
            "hostInterval": duration, "concurrency": I(minimum=1, maximum=256)}),
        "extraEnv": {"type": "object",
            "propertyNames": {"pattern": "^ATLAS_[A-Z0-9_]+$",
                "not": {"enum": ["ATLAS_ENV", "ATLAS_DATABASE_URL", "ATLAS_JWT_SECRET", "ATLAS_CURSOR_SECRET", "ATLAS_RIVERUI_PASSWORD",
                                 "ATLAS_DATABASE_URL_FILE", "ATLAS_JWT_SECRET_FILE", "ATLAS_CURSOR_SECRET_FILE", "ATLAS_RIVERUI_PASSWORD_FILE",
                                 "ATLAS_ELASTICSEARCH_PASSWORD", "ATLAS_ELASTICSEARCH_API_KEY",
                                 "ATLAS_ELASTICSEARCH_PASSWORD_FILE", "ATLAS_ELASTICSEARCH_API_KEY_FILE",
                                 "ATLAS_KAFKA_SASL_PASSWORD", "ATLAS_KAFKA_SASL_PASSWORD_FILE",
                                 "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET", "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE",
                                 "ATLAS_SMTP_PASSWORD", "ATLAS_SMTP_PASSWORD_FILE"]}},
            "additionalProperties": {"type": ["string", "number", "boolean"]}},
    }),
    "kafka": obj({"brokers": S(pattern=r"^[^,\s]+:[0-9]+(,[^,\s]+:[0-9]+)*$"),
        "topics": obj({"events": S(minLength=1), "deadLetter": S(minLength=1)}, required=["events", "deadLetter"]),
        "securityProtocol": S(enum=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]),
        "caConfigMap": S(pattern=r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$"),
        "caConfigMapKey": S(pattern=r"^[-._a-zA-Z0-9]+$"),
        "sasl": obj({"mechanism": S(enum=["", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]),
            "username": S(),
            "oauthbearer": obj({"method": S(enum=["", "google", "oidc", "unsecured-jwt"]), "principal": S(),
                "tokenUrl": S(pattern=r"^(|https?://.+)$"), "clientId": S(), "scope": S()})}),
    }, required=["brokers", "topics"]),
    "elasticsearch": obj({"url": S(pattern=r"^https?://[^/\s]+"), "alias": S(pattern=r"^([a-z0-9][-a-z0-9._]*)?$"), "username": S(),
        "ca": obj({"secretName": S(pattern=K8S_NAME), "configMapName": S(pattern=K8S_NAME), "key": S(pattern=r"^[-._a-zA-Z0-9]+$")},
                  required=["secretName", "configMapName", "key"])}, required=["url"]),
    "secret": obj({
        "existingSecret": S(),
        "keys": obj({k: S(pattern=r"^([-._a-zA-Z0-9]+)?$") for k in ["databaseUrl", "jwtSecret", "cursorSecret", "riverUIPassword",
                                                                      "elasticsearchPassword", "elasticsearchApiKey",
                                                                      "kafkaSaslPassword", "kafkaOAuthClientSecret", "smtpPassword"]}
                    | {"oidcClientSecrets": {"type": "object", "propertyNames": {"pattern": "^[a-z0-9]{1,40}$"},
                                             "additionalProperties": S(pattern=r"^[-._a-zA-Z0-9]+$")}},
                    required=["databaseUrl", "jwtSecret", "cursorSecret", "riverUIPassword"]),
        "databaseUrl": S(pattern=r"^(|postgres(ql)?://.+)$", description="postgres:// URL"),
        "jwtSecret": secret_value(32, "HS256 key, at least 32 bytes"),
        "cursorSecret": secret_value(16, "cursor signing key, at least 16 bytes"),
        "riverUIPassword": secret_value(16, "River UI Basic password, at least 16 bytes"),
        "elasticsearchPassword": S(description="password of elasticsearch.username"),
        "elasticsearchApiKey": S(description="Elasticsearch API key (encoded id:api_key)"),
        "kafkaSaslPassword": S(description="Kafka SASL PLAIN/SCRAM password"),
        "kafkaOAuthClientSecret": S(description="Kafka OAUTHBEARER oidc client secret"),
        "oidcClientSecrets": {"type": "object", "propertyNames": {"pattern": "^[a-z0-9]{1,40}$"},
            "additionalProperties": S(description="the OpenID Connect client secret of config.oidc[name]")},
        "smtpPassword": S(description="SMTP password of config.smtp.username"),
        "mountPath": S(pattern="^/"),
    }, required=["existingSecret", "keys", "mountPath"]),
    "podSecurityContext": ANYOBJ, "containerSecurityContext": ANYOBJ,
    "tmpSizeLimit": S(pattern=r"^[0-9]+(Ki|Mi|Gi)$"),
    "nodeSelector": MAP, "tolerations": LIST_OBJ, "affinity": ANYOBJ, "priorityClassName": S(),
    "podAnnotations": MAP, "podLabels": MAP,
    "topologySpread": obj({"enabled": B, "maxSkew": I(minimum=1),
        "whenUnsatisfiable": S(enum=["ScheduleAnyway", "DoNotSchedule"]),
        "topologyKeys": {"type": "array", "items": S(minLength=1)}}, required=["enabled"]),
    "metrics": obj({"podAnnotations": B, "podMonitor": obj({"enabled": B, "interval": duration, "labels": MAP}),
        "podMonitoring": obj({"enabled": B, "interval": duration}),
        "serviceMonitor": obj({"enabled": B, "interval": duration, "labels": MAP}),
        "grafanaDashboard": obj({"enabled": B, "labels": MAP, "annotations": MAP})}),
    "migration": obj({"enabled": B, "backoffLimit": I(minimum=0), "activeDeadlineSeconds": I(minimum=1),
        "ttlSecondsAfterFinished": {"type": ["integer", "null"], "minimum": 0},
        "resources": resources, "podAnnotations": MAP, "extraEnv": envVarList}, required=["enabled"]),
    "api": api,
    "worker": {"$ref": "#/definitions/component"},
    "auditConsumer": {"$ref": "#/definitions/component"},
    "indexer": {"$ref": "#/definitions/component"},
    "networkPolicy": obj({"enabled": B, "httpFrom": LIST_OBJ, "opsFrom": LIST_OBJ}),
  },
  "required": ["image", "ports", "config", "kafka", "elasticsearch", "secret", "api", "worker", "auditConsumer", "indexer"],
}


def render() -> str:
    """The schema file's exact text."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
