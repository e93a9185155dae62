"""`drift check ENV --manifest FILE`: what a pipeline is about to deploy (Knative YAML as
`gcloud run services|jobs replace` takes it, or `terraform show -json` plan output), read into
the same model as the live services, so that the same rules, report and exit codes apply."""

from __future__ import annotations

from drift.manifest.files import load_manifests
from drift.manifest.model import STDIN
from drift.manifest.source import ManifestSource

__all__ = ["STDIN", "ManifestSource", "load_manifests"]
