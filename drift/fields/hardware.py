"""The rows of the settings catalogue for what a revision (or a job's task) is encrypted with
and runs on: its customer-managed encryption key (CMEK), its GPU type and whether its GPUs are
zonally redundant. Each is a field of RevisionTemplate, TaskTemplate and
WorkerPoolRevisionTemplate that a Revision carries too (google/cloud/run/v2 revision.proto),
so the serving revision says what it runs with. Field comments quoted are the installed
`google.cloud.run_v2` types' docstrings (the googleapis protos' comments)."""

from __future__ import annotations

import re
from typing import Any

from drift.fields import access as a
from drift.fields.base import EVERY_KIND, Field, SettingValue, Source

CRYPTO_KEY = re.compile(r"projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+")
"""RevisionTemplate.encryption_key: "A reference to a customer managed encryption key (CMEK)
to use to encrypt this container image" — a `cloudkms.googleapis.com/CryptoKey`
(revision_template.proto's resource_reference), whose name is
`projects/{project}/locations/{location}/keyRings/{key_ring}/cryptoKeys/{crypto_key}`."""
NONE = ("", "none")
"""What a profile writes for no key or no GPU ("" is proto3's unset)."""


def _no_key(value: Any) -> str:
    return "" if str(value).strip() in NONE else str(value).strip()


def _crypto_key(value: Any) -> str:
    key = _no_key(value)
    if key and not CRYPTO_KEY.fullmatch(key):
        raise ValueError(
            "expected a Cloud KMS key's full name, projects/PROJECT/locations/LOCATION/"
            "keyRings/RING/cryptoKeys/KEY (or none: Google-managed encryption)"
        )
    return key


GPU = "nvidia.com/gpu"
"""The resource limit a container's GPUs are counted in (gcloud's `--gpu`; Knative's
`nvidia.com/gpu` limit)."""


def _gpu_type(source: Source) -> str:
    # NodeSelector.accelerator: "Required. GPU accelerator type to attach to an instance."
    return str(source.revision.node_selector.accelerator)


def _write_gpu_type(workload: Any, container: Any, value: SettingValue) -> None:
    """The accelerator, and the GPU it is the type of: no type clears the node selector and
    every container's GPU limit (a GPU without a type, or a type without a GPU, is not a
    configuration gcloud writes: `--gpu-type` goes with `--gpu`); a type where no container
    has a GPU gives the container the profile describes one (Cloud Run attaches one GPU per
    instance: gcloud's `--gpu` takes 0 or 1)."""
    template = a.template_of(workload)
    accelerator = _no_key(value)
    if not accelerator:
        template.node_selector = None
        for each in template.containers:
            if "resources" in each and GPU in each.resources.limits:
                del each.resources.limits[GPU]
        return
    template.node_selector = a.run_v2().NodeSelector(accelerator=accelerator)
    if not any("resources" in c and GPU in c.resources.limits for c in template.containers):
        a.resources(workload, container).limits[GPU] = "1"


def _gpu_redundancy_off(source: Source) -> bool:
    # RevisionTemplate.gpu_zonal_redundancy_disabled: "True if GPU zonal redundancy is
    # disabled on this revision" (optional: unset is not disabled); GPU zonal redundancy
    # page: "By default, zonal redundancy is turned on for GPUs".
    return bool(source.revision.gpu_zonal_redundancy_disabled)


HARDWARE_FIELDS: tuple[Field, ...] = (
    Field(
        "encryption_key",
        "Customer-managed encryption key (CMEK) of the container image, by its full Cloud KMS "
        "name; none: Google-managed encryption.",
        str,
        read=lambda s: str(s.revision.encryption_key),
        write=a.template_field("encryption_key", _no_key),
        # gcloud run deploy / services, jobs, worker-pools update: `--key=KEY`, `--clear-key`
        gcloud=lambda v: f"--key={v}" if _no_key(v) else "--clear-key",
        parse=a.scalar(_crypto_key),
        normalise=_no_key,
        show=lambda v: str(v) or "none (Google-managed encryption)",
        examples=("projects/acme-kms/locations/us-central1/keyRings/run/cryptoKeys/images",),
        kinds=EVERY_KIND,
    ),
    Field(
        "gpu_type",
        "The GPU attached to each instance (e.g. nvidia-l4); none: no GPU.",
        str,
        read=_gpu_type,
        write=_write_gpu_type,
        # gcloud run deploy / services, jobs, worker-pools update: `--gpu-type=GPU_TYPE`;
        # `--gpu=0` (its container's GPU count) takes the GPU away
        gcloud=lambda v: f"--gpu-type={v}" if _no_key(v) else "--gpu=0",
        parse=a.scalar(_no_key),
        normalise=_no_key,
        show=lambda v: str(v) or "none",
        examples=("nvidia-l4",),
        kinds=EVERY_KIND,
    ),
    Field(
        "gpu_zonal_redundancy_disabled",
        "GPU zonal redundancy turned off (best-effort GPU capacity at a lower price); false "
        "when unset.",
        bool,
        read=_gpu_redundancy_off,
        write=a.template_field("gpu_zonal_redundancy_disabled", bool),
        gcloud=a.switch("no-gpu-zonal-redundancy", "gpu-zonal-redundancy"),
        kinds=EVERY_KIND,
    ),
)
