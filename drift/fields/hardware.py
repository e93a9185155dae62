"""The rows of the settings catalogue for what a revision (or a job's task) is encrypted with
and runs on: its customer-managed encryption key (CMEK), its GPU type and whether its GPUs are
zonally redundant. Each is a field of RevisionTemplate, TaskTemplate and
WorkerPoolRevisionTemplate that a Revision carries too (google/cloud/run/v2 revision.proto),
so the serving revision says what it runs with. Field comments quoted are the installed
`google.cloud.run_v2` types' docstrings (the googleapis protos' comments)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from typing import Any, Literal

from drift.fields import access as a
from drift.fields.base import (
    EVERY_KIND,
    UNTOLD,
    Field,
    GcloudArg,
    PlannedSetting,
    SettingValue,
    Source,
    Unread,
    no_value,
    tf_template,
)
from drift.kinds import Kind

CRYPTO_KEY = re.compile(r"projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+")
"""RevisionTemplate.encryption_key: "A reference to a customer managed encryption key (CMEK)
to use to encrypt this container image" — a `cloudkms.googleapis.com/CryptoKey`
(revision_template.proto's resource_reference), whose name is
`projects/{project}/locations/{location}/keyRings/{key_ring}/cryptoKeys/{crypto_key}`."""
KEY_BOUND = ("encryption_key_revocation_action", "encryption_key_shutdown_duration")
"""What a key's revocation does (RevisionTemplate: encryption_key_revocation_action, "The
action to take if the encryption key is revoked"; encryption_key_shutdown_duration, "If
encryption_key_revocation_action is SHUTDOWN, the duration before shutting down all
instances"): nothing without a key. gcloud 528's `--clear-key` clears them with it (services:
command_lib/run/flags.py, `clear_key` deletes the CMEK key, post-key-revocation-action-type
and encryption-key-shutdown-hours annotations together; worker pools:
command_lib/run/v2/config_changes.py `CmekKeyChanges`, "Clear all CMEK key related
settings"). `drift fix` does the same, so the plan's script and the fix make one service."""


def _write_key(workload: Any, container: Any, value: SettingValue) -> None:
    """The key; no key (`none`) also clears what its revocation does (`KEY_BOUND`)."""
    template = a.template_of(workload)
    template.encryption_key = no_value(value)
    fields = type(template).pb(template).DESCRIPTOR.fields_by_name
    if not template.encryption_key:  # a job's TaskTemplate has none of them
        for name in (n for n in KEY_BOUND if n in fields):
            setattr(template, name, None)


def _key_note(c: PlannedSetting) -> str:
    """A plan says what taking the key away clears with it (`KEY_BOUND`): a service's or a
    worker pool's template has them, a job's TaskTemplate neither (revown55 U1). Setting a
    key where there was none: what a revoked key does, left behind without one (Terraform, an
    older `--clear-key`) and meaning nothing until now (`Field.void`: no finding, no write),
    takes effect with it unless the plan changes it itself (`_leftovers`)."""
    if c.kind is Kind.JOB:
        return ""
    if not no_value(c.after):
        if not c.before or not no_value(c.before):
            return ""
        return (
            "taking encryption_key away also clears encryption_key_revocation_action and "
            "encryption_key_shutdown_duration: they mean nothing without a key, and gcloud's "
            "--clear-key clears them too"
        )
    if no_value(c.before or ""):
        return ""
    left = _leftovers(c.settings, c.changed)
    if not left:
        return ""
    held = " and ".join(_held(f, c.settings[f.name]) for f in left)
    one = len(left) == 1
    it = "it" if one else "them"
    return (
        f"setting encryption_key makes the template's {held} take effect (left there without "
        f"a key, {'it' if one else 'they'} meant nothing); a profile that wants {it} "
        "otherwise states so"
    )


def _held(field: Field, value: SettingValue) -> str:
    if isinstance(value, Unread):  # set, though drift cannot read it: named with why
        return f"{field.name} ({value})"
    return f"{field.name}={field.show(value)}"


def _no_clear_key(kind: Kind, value: SettingValue) -> str:
    """gcloud 528's `run jobs update` (and `jobs deploy`) add the key flag without its clear
    (surface/run/jobs/update.py: `flags.AddCmekKeyFlag(parser, with_clear=False)`; the
    reference of `gcloud run jobs update` lists `--key=KEY` only): a job's key is set by
    flag, never taken away by one."""
    if kind is Kind.JOB and not no_value(value):
        return "has no flag to take a key away (no --clear-key)"
    return ""


def _no_redundancy_flag(kind: Kind, value: SettingValue) -> str:
    """gcloud 528, parsed (notes/repro/fixown49): `gcloud run jobs update` and `gcloud beta run
    jobs update` answer `--[no-]gpu-zonal-redundancy` with "unrecognized arguments", `gcloud
    alpha run jobs update` parses it; `gcloud beta|alpha run worker-pools update` refuse it;
    `gcloud run services update` parses it. Later releases have it (helper-557 G5b, gcloud's
    source): beta `jobs update` and `worker-pools update` from 540, GA `jobs update` from
    550: said, so that the line is not false on a current gcloud."""
    if kind is Kind.JOB:
        return (
            "has no --[no-]gpu-zonal-redundancy before gcloud 550 (from 540 its beta track "
            "has it; in 528 only its alpha track)"
        )
    if kind is Kind.WORKER_POOL:
        return "has no --[no-]gpu-zonal-redundancy before gcloud 540 (in 528: in no track)"
    return ""


def _crypto_key(value: Any) -> str:
    key = no_value(value)
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
    accelerator = no_value(value)
    if not accelerator:
        template.node_selector = None
        for each in template.containers:
            if "resources" in each and GPU in each.resources.limits:
                del each.resources.limits[GPU]
        return
    template.node_selector = a.run_v2().NodeSelector(accelerator=accelerator)
    if not any("resources" in c and GPU in c.resources.limits for c in template.containers):
        a.resources(workload, container).limits[GPU] = "1"


def _gpu_goes_nowhere(source: Source) -> str:
    """Why the GPU type is not read ("" when it is): a type where no container has a GPU is
    written with a GPU on the container the profile describes (`_write_gpu_type`), and where
    there are several, none with a port and none named (`container:`), that one cannot be
    told (their order means nothing to Cloud Run: run v2 `TaskTemplate.containers`,
    `WorkerPoolRevisionTemplate.containers`). Not judged nor planned, never a patch on a
    guessed container (helper-624 F2: it crashed every check, plan and fix)."""
    containers = list(getattr(source.revision, "containers", ()))
    if source.container is not None or len(containers) < 2:
        return ""
    if any(c.HasField("resources") and GPU in c.resources.limits for c in containers):
        return ""  # a type change only: the GPU stays where it is
    names = ", ".join(c.name for c in containers)
    return f"no container has a GPU ({names}: none with a port), and {UNTOLD}"


TOP_LEVEL_ONLY = {
    "--gpu=0": (
        "gcloud clears the GPU type only for a --gpu=0 outside --container, which cannot be "
        "combined with --container (command_lib/run/flags.py: _GetConfigurationChanges adds "
        "GpuTypeChange(gpu_type='') for a top-level --gpu=0; after --container, "
        "_GetContainerConfigurationChanges only takes that container's GPU), so with several "
        "containers the revision would keep its type"
    )
}
"""gcloud arguments whose effect needs them outside any `--container` group: on a
workload with several containers a script cannot give them beside container flags."""


def _gpu_flags(after: SettingValue, before: SettingValue | None) -> tuple[GcloudArg, ...]:
    """What `_write_gpu_type` does, as gcloud's arguments (gcloud run deploy: `--gpu-type` is
    the revision's flag, `--gpu` a container's, "Cloud Run supports values 0 or 1"): a type
    where there was none also gives the profile's container its GPU (`--gpu=1`); none takes
    every container's GPU away (`--gpu=0`, each container: the patch clears them all; with
    several containers the script leaves it to drift fix: `TOP_LEVEL_ONLY`)."""
    if not no_value(after):
        return (("--gpu=0", "every"),)
    gpu: tuple[GcloudArg, ...] = () if no_value(before or "") else (("--gpu=1", "primary"),)
    return (*gpu, (f"--gpu-type={after}", "revision"))


def _job_default_unknown(source: Source) -> str:
    """A GPU job that does not say: the API's default for a job is not documented (the
    services page: "By default, zonal redundancy is turned on for GPUs"; the jobs GPU page:
    "GPU for jobs follow No zonal redundancy pricing"), so it is not judged against either."""
    template = source.revision
    if source.kind is not Kind.JOB or not template.node_selector.accelerator:
        return ""
    if template.HasField("gpu_zonal_redundancy_disabled"):
        return ""
    return (
        "the job does not set gpu_zonal_redundancy_disabled and the default for a GPU job is "
        "not documented (jobs' GPU page: no-zonal-redundancy pricing); set it on the job "
        "(gcloud run jobs update --[no-]gpu-zonal-redundancy; gcloud 528 has it in its alpha "
        "track only) to verify it"
    )


def _gpu_redundancy_off(source: Source) -> bool:
    # RevisionTemplate.gpu_zonal_redundancy_disabled: "True if GPU zonal redundancy is
    # disabled on this revision" (optional: unset is not disabled); GPU zonal redundancy
    # page: "By default, zonal redundancy is turned on for GPUs".
    return bool(source.revision.gpu_zonal_redundancy_disabled)


REVOCATION = {"PREVENT_NEW": "prevent-new", "SHUTDOWN": "shut-down"}
"""EncryptionKeyRevocationAction as gcloud's `--post-key-revocation-action-type` and the
Knative annotation `run.googleapis.com/post-key-revocation-action-type` write it."""
KEYED = frozenset({Kind.SERVICE, Kind.WORKER_POOL})
"""RevisionTemplate and WorkerPoolRevisionTemplate have the revocation fields; a job's
TaskTemplate does not (google/cloud/run/v2 task_template.proto)."""


def _revocation(source: Source) -> str:
    # EncryptionKeyRevocationAction PREVENT_NEW: "Prevents the creation of new instances";
    # unset, a revoked key does the same: using-cmek page, "If the CMEK key is disabled,
    # new instances of existing Cloud Run revisions that use the key won't start".
    return a.choice(source.revision, "encryption_key_revocation_action", REVOCATION, "prevent-new")


def _shutdown_hours(source: Source) -> int:
    # RevisionTemplate.encryption_key_shutdown_duration: "If encryption_key_revocation_action
    # is SHUTDOWN, the duration before shutting down all instances. The minimum increment is
    # 1 hour." 0: unset.
    return int(source.revision.encryption_key_shutdown_duration.seconds) // 3600


def _not_whole_hours(source: Source) -> str:
    d = source.revision.encryption_key_shutdown_duration
    if d.seconds % 3600 == 0 and not d.nanos:
        return ""
    return (
        f"encryption_key_shutdown_duration is {d.seconds}s, not whole hours (the API's "
        "increment is 1 hour): drift compares hours"
    )


def _keyless(settings: Mapping[str, SettingValue]) -> bool:
    """No CMEK key (unset, or a profile's `none`): what a revoked key does means nothing."""
    return not no_value(settings.get("encryption_key") or "")


def _no_shutdown(settings: Mapping[str, SettingValue]) -> bool:
    """encryption_key_shutdown_duration: "If encryption_key_revocation_action is SHUTDOWN, the
    duration before shutting down all instances": without a key or shut-down, nothing (an
    action drift cannot read may be shut-down: the duration may count, revown59 F2)."""
    action = settings.get("encryption_key_revocation_action")
    return _keyless(settings) or (action != "shut-down" and not isinstance(action, Unread))


def _gpuless(settings: Mapping[str, SettingValue]) -> bool:
    """No GPU: whether its zonal redundancy is off means nothing."""
    return not settings.get("gpu_type")


@cache
def _unset() -> Source:
    """A revision template with nothing set: what each revocation row reads where it is unset
    (built when first asked: `run_v2` is imported only where a workload is)."""
    template = a.run_v2().RevisionTemplate
    return Source(None, template.pb(template()), None)


REVOCATION_FIELDS: tuple[Field, ...] = (
    Field(
        "encryption_key_revocation_action",
        "What a revoked CMEK key does: prevent-new (no new instances; also when unset) or "
        "shut-down (existing instances shut down too).",
        Literal["prevent-new", "shut-down"],
        terraform=(tf_template("encryption_key_revocation_action"),),
        read=_revocation,
        unreadable=a.unnamed(
            "encryption_key_revocation_action",
            "encryption_key_revocation_action",
            lambda s: s.revision,
        ),
        write=a.enum_field(
            "encryption_key_revocation_action",
            lambda: a.run_v2().EncryptionKeyRevocationAction,
            REVOCATION,
        ),
        gcloud=a.flag("post-key-revocation-action-type"),
        kinds=KEYED,
        moot=_keyless,
        void=_keyless,
    ),
    Field(
        "encryption_key_shutdown_hours",
        "Hours before instances shut down once their CMEK key is revoked (with shut-down); "
        "0: unset.",
        int,
        terraform=(tf_template("encryption_key_shutdown_duration"),),
        read=_shutdown_hours,
        unreadable=_not_whole_hours,
        write=a.template_field(
            "encryption_key_shutdown_duration", lambda v: timedelta(hours=int(v))
        ),
        gcloud=lambda v: (
            f"--encryption-key-shutdown-hours={v}"
            if int(v)
            else "--clear-encryption-key-shutdown-hours"
        ),
        minimum=0,
        # google/protobuf/duration.proto: `seconds` "Must be from -315,576,000,000 to
        # +315,576,000,000 inclusive" (revown60b F2: timedelta overflowed in plan)
        maximum=315_576_000_000 // 3600,
        kinds=KEYED,
        moot=_no_shutdown,
        void=_keyless,  # with a key, a profile's 0 clears a duration left beside prevent-new
    ),
)


def _leftovers(settings: Mapping[str, SettingValue], changed: set[str]) -> list[Field]:
    """The revocation rows (`REVOCATION_FIELDS`) that do something on the workload as a plan
    leaves it (`settings`, its key set) and that the plan does not change: each not moot there
    (a duration beside prevent-new is) and not what it reads where nothing is set (unset: a
    revoked key prevents new instances, as prevent-new does)."""
    return [
        f
        for f in REVOCATION_FIELDS
        if f.name in settings
        and f.name not in changed
        and not (f.moot is not None and f.moot(settings))
        and (isinstance(settings[f.name], Unread) or settings[f.name] != f.read(_unset()))
    ]


HARDWARE_FIELDS: tuple[Field, ...] = (
    Field(
        "encryption_key",
        "Customer-managed encryption key (CMEK) of the container image, by its full Cloud KMS "
        "name; none: Google-managed encryption.",
        str,
        terraform=(tf_template("encryption_key"),),
        read=lambda s: str(s.revision.encryption_key),
        write=_write_key,
        plan_note=_key_note,
        # gcloud run deploy / services, worker-pools update: `--key=KEY`, `--clear-key`;
        # jobs update: `--key=KEY` only (`_no_clear_key`)
        gcloud=a.set_or_clear("--key", "--clear-key"),
        no_flag=_no_clear_key,
        **a.or_none("none (Google-managed encryption)", _crypto_key),
        examples=("projects/acme-kms/locations/us-central1/keyRings/run/cryptoKeys/images",),
        kinds=EVERY_KIND,
        names_project=True,  # CRYPTO_KEY: projects/{project}/…
    ),
    *REVOCATION_FIELDS,
    Field(
        "gpu_type",
        "The GPU attached to each instance (e.g. nvidia-l4); none: no GPU.",
        str,
        terraform=(tf_template("node_selector", 0, "accelerator"),),
        read=_gpu_type,
        unreadable=_gpu_goes_nowhere,
        write=_write_gpu_type,
        # gcloud run deploy / services, jobs, worker-pools update: `--gpu-type=GPU_TYPE`;
        # `--gpu=0` (its container's GPU count) takes the GPU away
        gcloud=a.set_or_clear("--gpu-type", "--gpu=0"),
        gcloud_args=_gpu_flags,
        **a.or_none("none"),
        examples=("nvidia-l4",),
        kinds=EVERY_KIND,
    ),
    Field(
        "gpu_zonal_redundancy_disabled",
        "GPU zonal redundancy turned off (best-effort GPU capacity at a lower price); false "
        "when unset.",
        bool,
        terraform=(tf_template("gpu_zonal_redundancy_disabled"),),
        read=_gpu_redundancy_off,
        unreadable=_job_default_unknown,
        write=a.template_field("gpu_zonal_redundancy_disabled", bool),
        gcloud=a.switch("no-gpu-zonal-redundancy", "gpu-zonal-redundancy"),
        no_flag=_no_redundancy_flag,
        kinds=EVERY_KIND,
        moot=_gpuless,
    ),
)
