#!/usr/bin/env python3
"""OCI image layout helpers for scripts/image (standard library only).

  oci.py base ROOTFS LAYOUT [ENTRYPOINT]
                                   write ROOTFS (a directory) as a one-layer image
                                   into the OCI layout LAYOUT; print its digest
                                   (ENTRYPOINT: a path in ROOTFS the image runs)
  oci.py digest LAYOUT             print the digest of the image manifest in LAYOUT
  oci.py attach LAYOUT FILE TYPE   add FILE as an artifact whose subject is the
                                   image (an OCI 1.1 referrer, e.g. an SBOM)
  oci.py unpack LAYOUT DEST        apply the image's layers in order into DEST and
                                   print the image config as JSON

Every byte written is a function of the inputs: entries sorted, times set to
SOURCE_DATE_EPOCH (default 0), owners numeric, gzip without a name or time.
"""

import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile

EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_EMPTY = "application/vnd.oci.empty.v1+json"
# Files owned by the non-root user the image runs as.
NONROOT = 65532


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_blob(layout, data):
    digest = sha(data)
    path = os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return {"digest": digest, "size": len(data)}


def read_blob(layout, digest):
    with open(os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1]), "rb") as f:
        return f.read()


def rootfs_tar(rootfs):
    """A reproducible tar of the directory tree ROOTFS."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        paths = []
        for dirpath, dirnames, filenames in os.walk(rootfs):
            dirnames.sort()
            for name in sorted(dirnames + filenames):
                paths.append(os.path.join(dirpath, name))
        for path in sorted(paths, key=lambda p: os.path.relpath(p, rootfs)):
            rel = os.path.relpath(path, rootfs)
            info = tar.gettarinfo(path, arcname=rel)
            info.mtime = EPOCH
            owner = NONROOT if rel == "home/nonroot" or rel.startswith("home/nonroot/") else 0
            info.uid = info.gid = owner
            info.uname = info.gname = ""
            info.pax_headers = {}
            if info.isreg():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return buf.getvalue()


def gz(data):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="", compresslevel=9) as f:
        f.write(data)
    return out.getvalue()


def write_index(layout, manifests):
    os.makedirs(layout, exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "wb") as f:
        f.write(canonical({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": manifests}))


def cmd_base(rootfs, layout, entrypoint=None):
    tar = rootfs_tar(rootfs)
    layer = gz(tar)
    layer_desc = dict(write_blob(layout, layer), mediaType=MT_LAYER)
    created = datetime.datetime.fromtimestamp(EPOCH, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": created,
        "config": {
            "User": f"{NONROOT}:{NONROOT}",
            "Env": [
                "PATH=/usr/local/bin:/usr/bin:/bin",
                "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                "HOME=/home/nonroot",
            ],
            "WorkingDir": "/home/nonroot",
        },
        "rootfs": {"type": "layers", "diff_ids": [sha(tar)]},
        "history": [{"created": created, "created_by": "scripts/image base (Debian packages, image/base.lock)"}],
    }
    if entrypoint:
        config["config"]["Entrypoint"] = [entrypoint]
    config_desc = dict(write_blob(layout, canonical(config)), mediaType=MT_CONFIG)
    manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": config_desc, "layers": [layer_desc]}
    manifest_desc = dict(write_blob(layout, canonical(manifest)), mediaType=MT_MANIFEST)
    manifest_desc["platform"] = {"architecture": "amd64", "os": "linux"}
    write_index(layout, [manifest_desc])
    print(manifest_desc["digest"])


def load_index(layout):
    with open(os.path.join(layout, "index.json"), "rb") as f:
        return json.load(f)


def image_manifest(layout):
    """The descriptor and body of the (first) image manifest in LAYOUT, following nested indexes."""
    manifests = load_index(layout)["manifests"]
    while manifests:
        desc = manifests[0]
        body = json.loads(read_blob(layout, desc["digest"]))
        if desc["mediaType"] == MT_INDEX or body.get("mediaType") == MT_INDEX:
            manifests = [m for m in body["manifests"] if "subject" not in m]
            continue
        if body.get("config", {}).get("mediaType") not in (MT_CONFIG, "application/vnd.docker.container.image.v1+json"):
            manifests = manifests[1:]
            continue
        return desc, body
    sys.exit("oci.py: no image manifest in " + layout)


def cmd_digest(layout):
    print(image_manifest(layout)[0]["digest"])


def cmd_attach(layout, path, artifact_type):
    subject, _ = image_manifest(layout)
    with open(path, "rb") as f:
        data = f.read()
    blob = dict(write_blob(layout, data), mediaType=artifact_type,
                annotations={"org.opencontainers.image.title": os.path.basename(path)})
    empty = dict(write_blob(layout, b"{}"), mediaType=MT_EMPTY)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MT_MANIFEST,
        "artifactType": artifact_type,
        "config": empty,
        "layers": [blob],
        "subject": {"mediaType": subject["mediaType"], "digest": subject["digest"], "size": subject["size"]},
            }
    desc = dict(write_blob(layout, canonical(manifest)), mediaType=MT_MANIFEST, artifactType=artifact_type)
    index = load_index(layout)
    index["manifests"] = [m for m in index["manifests"] if m["digest"] != desc["digest"]] + [desc]
    write_index(layout, index["manifests"])
    print(desc["digest"])


def cmd_unpack(layout, dest):
    _, manifest = image_manifest(layout)
    os.makedirs(dest, exist_ok=True)
    for layer in manifest["layers"]:
        data = read_blob(layout, layer["digest"])
        if layer["mediaType"].endswith("gzip"):
            data = gzip.decompress(data)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                base = os.path.basename(member.name)
                if base.startswith(".wh."):
                    target = os.path.join(dest, os.path.dirname(member.name), base[4:])
                    if os.path.isdir(target) and not os.path.islink(target):
                        shutil.rmtree(target)
                    elif os.path.lexists(target):
                        os.remove(target)
                    continue
                tar.extract(member, dest, filter="tar" if hasattr(tarfile, "tar_filter") else None)
    config = json.loads(read_blob(layout, manifest["config"]["digest"]))
    print(json.dumps(config.get("config", {}), indent=2, sort_keys=True))


def main(argv):
    commands = {"base": (cmd_base, 2, 3), "digest": (cmd_digest, 1, 1), "attach": (cmd_attach, 3, 3), "unpack": (cmd_unpack, 2, 2)}
    if len(argv) < 2 or argv[1] not in commands or not commands[argv[1]][1] <= len(argv) - 2 <= commands[argv[1]][2]:
        sys.exit(__doc__)
    fn = commands[argv[1]][0]
    fn(*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
