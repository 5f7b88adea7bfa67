"""GKE Autopilot's admission rules for Pods, checked on rendered manifests.

Autopilot rejects a Pod that asks for more than its managed nodes allow. This
module checks what the Atlas chart renders against those rules so that a
change which would be refused on the cluster fails `scripts/deploy check`
instead:

- no privileged container, no privilege via added capabilities beyond the
  ones Autopilot allows (the container runtime's defaults and SYS_PTRACE);
- no host namespaces (hostNetwork, hostPID, hostIPC), no hostPort, no
  hostPath volume;
- CPU and memory requests on every container, init and sidecar ones too
  (Autopilot bills and places Pods by their requests);
- only the sysctls Kubernetes deems safe.
"""
from __future__ import annotations

# The capabilities Autopilot lets a container add (containerd's defaults and SYS_PTRACE).
ALLOWED_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
    "SYS_CHROOT", "SYS_PTRACE",
})
SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
})
# Kinds whose objects carry a Pod template, and where it sits.
POD_TEMPLATES = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


def pod_spec(obj: dict) -> dict | None:
    """The Pod spec an object creates, or None for kinds that create no Pods."""
    path = POD_TEMPLATES.get(obj.get("kind"))
    if path is None:
        return None
    node = obj
    for key in path:
        node = node.get(key) or {}
    return node.get("spec") or {}


def violations(obj: dict) -> list[str]:
    """Every Autopilot rule the object's Pods break, as readable sentences."""
    spec = pod_spec(obj)
    if spec is None:
        return []
    what = f"{obj['kind']}/{obj.get('metadata', {}).get('name', '?')}"
    out: list[str] = []
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            out.append(f"{what}: {field} is not allowed on Autopilot")
    for v in spec.get("volumes") or []:
        if "hostPath" in v:
            out.append(f"{what}: volume {v.get('name')} is a hostPath, not allowed on Autopilot")
    for s in (spec.get("securityContext") or {}).get("sysctls") or []:
        if s.get("name") not in SAFE_SYSCTLS:
            out.append(f"{what}: sysctl {s.get('name')} is not a safe sysctl")
    containers = [("init container", c) for c in spec.get("initContainers") or []]
    containers += [("container", c) for c in spec.get("containers") or []]
    containers += [("ephemeral container", c) for c in spec.get("ephemeralContainers") or []]
    if not spec.get("containers"):
        out.append(f"{what}: no containers")
    for kind, c in containers:
        name = f"{what} {kind} {c.get('name', '?')}"
        sc = c.get("securityContext") or {}
        if sc.get("privileged"):
            out.append(f"{name}: privileged is not allowed on Autopilot")
        added = set((sc.get("capabilities") or {}).get("add") or [])
        for cap in sorted(added - ALLOWED_CAPABILITIES):
            out.append(f"{name}: capability {cap} is not allowed on Autopilot")
        for p in c.get("ports") or []:
            if p.get("hostPort"):
                out.append(f"{name}: hostPort {p['hostPort']} is not allowed on Autopilot")
        if kind == "ephemeral container":
            continue
        requests = (c.get("resources") or {}).get("requests") or {}
        for resource in ("cpu", "memory"):
            if not requests.get(resource):
                out.append(f"{name}: no {resource} request (Autopilot places and bills Pods by requests)")
    return out
