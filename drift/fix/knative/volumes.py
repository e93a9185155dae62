"""A template's volumes both ways: a v2 `Volume` as the Knative (Kubernetes core v1) volume
`replace` takes, and back. Every free text a volume holds (a bucket, its gcsfuse mount options,
an NFS server and path, a secret file's path) is masked on the data as every output masks it
(`Conversion.free`, `Conversion.words`: `credentials.masked_text`'s rule), the document then
not appliable unless `--include-plain-credentials`: a mount option may be a credential's
carrier (`custom-endpoint=https://user:pw@host`: GCSVolumeSource.mount_options "A list of
additional flags to pass to the gcsfuse CLI", run v2 k8s.min.proto), which the plan's note
masked and this document printed whole (helper-718)."""

from __future__ import annotations

from typing import Any

from drift.fix.knative import keys
from drift.fix.knative.conversion import Conversion, present, text


def volume_out(conv: Conversion, v: Any) -> dict[str, Any] | None:
    """None: a Cloud SQL volume, which Knative holds as an annotation (`pod._cloudsql_out`)."""
    if present(v, "cloud_sql_instance"):
        return None
    where = f"volume {v.name}"
    if present(v, "secret"):
        s = v.secret
        source: dict[str, Any] = {"secretName": conv.secret_name(s.secret)}
        if s.items:
            source["items"] = [
                {
                    "key": i.version,
                    "path": conv.free(f"{where} path", i.path),
                    **({"mode": i.mode} if i.mode else {}),
                }
                for i in s.items
            ]
        if s.default_mode:
            source["defaultMode"] = s.default_mode
        return {"name": v.name, "secret": source}
    if present(v, "empty_dir"):
        e = v.empty_dir
        medium = "Memory" if str(getattr(e.medium, "name", e.medium)) == "MEMORY" else ""
        return {
            "name": v.name,
            "emptyDir": {k: x for k, x in (("medium", medium), ("sizeLimit", e.size_limit)) if x},
        }
    if present(v, "gcs"):
        attributes = {"bucketName": conv.free(f"{where} bucketName", v.gcs.bucket)}
        if v.gcs.mount_options:
            # each option as the plan's note shows it (`fields.mount_options.kept_note`)
            said = f"{where} mountOptions"
            attributes["mountOptions"] = ",".join(conv.free(said, o) for o in v.gcs.mount_options)
        csi = {"driver": keys.GCSFUSE_DRIVER, "volumeAttributes": attributes}
        return {"name": v.name, "csi": {**csi, **({"readOnly": True} if v.gcs.read_only else {})}}
    if present(v, "nfs"):
        nfs: dict[str, Any] = {
            "server": conv.free(f"{where} server", v.nfs.server),
            "path": conv.free(f"{where} path", v.nfs.path),
        }
        return {"name": v.name, "nfs": {**nfs, **({"readOnly": True} if v.nfs.read_only else {})}}
    conv.note(f"volume {v.name} has no source Knative can express")
    return {"name": v.name}


def volume_in(doc: dict[str, Any], aliases: dict[str, str]) -> Any:
    """`aliases`: the `run.googleapis.com/secrets` map (alias -> `projects/P/secrets/NAME`)."""
    from google.cloud import run_v2

    v = run_v2.Volume(name=doc.get("name", ""))
    if "secret" in doc:
        s = doc["secret"] or {}
        name = text(s, "secretName")
        v.secret = run_v2.SecretVolumeSource(
            secret=aliases.get(name, name),
            default_mode=int(s.get("defaultMode", 0)),
            items=[
                run_v2.VersionToPath(
                    version=text(i, "key"),
                    path=i.get("path", ""),
                    mode=int(i.get("mode", 0)),
                )
                for i in s.get("items") or []
            ],
        )
    elif "emptyDir" in doc:
        e = doc["emptyDir"] or {}
        medium = run_v2.EmptyDirVolumeSource.Medium.MEMORY if e.get("medium") == "Memory" else 0
        v.empty_dir = run_v2.EmptyDirVolumeSource(medium=medium, size_limit=text(e, "sizeLimit"))
    elif "csi" in doc:
        csi = doc["csi"] or {}
        attributes = csi.get("volumeAttributes") or {}
        options = text(attributes, "mountOptions")
        v.gcs = run_v2.GCSVolumeSource(
            bucket=attributes.get("bucketName", ""),
            read_only=bool(csi.get("readOnly", False)),
            mount_options=[o for o in options.split(",") if o],
        )
    elif "nfs" in doc:
        nfs = doc["nfs"] or {}
        v.nfs = run_v2.NFSVolumeSource(
            server=nfs.get("server", ""),
            path=nfs.get("path", ""),
            read_only=bool(nfs.get("readOnly", False)),
        )
    return v
