"""Read a Knative `Service` (`serving.knative.dev/v1`), `Job` or `WorkerPool`
(`run.googleapis.com/v1`) as `gcloud run services|jobs|worker-pools replace` takes it and
`gcloud run services describe --format export` writes it: its shape checked first (every
problem at `file:line`, as gcloud would refuse the file), then converted to the run_v2 message
by `drift.fix.knative` (the same conversion `drift plan --format yaml` writes with)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    model_validator,
)

from drift.errors import Problem
from drift.fix.knative import from_knative, keys
from drift.kinds import Kind
from drift.manifest.annotations import annotation_problems
from drift.manifest.dependencies import knative_order
from drift.manifest.deployable import (
    deployable_account,
    deployable_image,
    deployable_mount,
    deployable_value,
    env_count,
)
from drift.manifest.envnames import knative_twice
from drift.manifest.knative_values import Int32, Version
from drift.manifest.misplaced import misplaced, unread
from drift.manifest.model import Workload
from drift.manifest.offlevel import OFF_LEVEL, RevisionLevel, TaskLevel
from drift.manifest.refused import fixed_name
from drift.manifest.scaling import knative_pool
from drift.profiles.rules_spec import check_var_name
from drift.yamldoc import Located
from drift.yamlfile import validation_problems

SERVICE_API = "serving.knative.dev/v1"
JOB_API = "run.googleapis.com/v1"


class _Open(BaseModel):
    """Keys drift does not read are left to gcloud (status, probes' details, …)."""

    model_config = ConfigDict(extra="allow")


class _Closed(BaseModel):
    """A level whose every v1 field drift models: any other key is refused at its line, as
    gcloud refuses it (`… replace` reads the file with `messages_util.
    DictToMessageWithErrorCheck`, googlecloudsdk/api_lib/util/messages.py, which raises a
    DecodeError for every unrecognized field). A setting written one level off (a Job's
    `maxRetries` in its execution's spec) was passed over and read as its default (revman91
    F2)."""

    model_config = ConfigDict(extra="forbid")


class SecretKeyRef(_Open):
    name: StrictStr
    key: Version = None


class EnvSource(_Open):
    secretKeyRef: SecretKeyRef
    """Required: Cloud Run Admin API v1 EnvVar.valueFrom "Only supports secret_key_ref" (a
    `configMapKeyRef`, a misspelt key, was read as a plain empty value: revman85 F4)."""


class EnvVar(_Open):
    name: Annotated[StrictStr, AfterValidator(check_var_name)]
    """A name Cloud Run takes (`VAR_NAME_MAX`): one it refuses is refused here, as gcloud
    would have the deploy refused, at its line."""
    value: Annotated[StrictStr, AfterValidator(deployable_value)] | None = None
    valueFrom: EnvSource | None = None

    @model_validator(mode="after")
    def _one_source(self) -> EnvVar:
        """valueFrom "Cannot be used if value is not empty" (Cloud Run Admin API v1 EnvVar;
        the v2 one holds either): the value beside a reference was passed over in silence."""
        if self.value and self.valueFrom is not None:
            raise ValueError(
                "a value and a valueFrom: Cloud Run takes one of them (valueFrom cannot be "
                "used if value is not empty), and the deploy is refused: keep one"
            )
        return self


class Port(_Open):
    name: StrictStr | None = None
    containerPort: Int32 | None = None


class Mount(_Open):
    name: StrictStr
    mountPath: Annotated[StrictStr, AfterValidator(deployable_mount)]
    subPath: StrictStr | None = None


class Resources(_Open):
    limits: dict[str, StrictStr] | None = None
    """A v1 map of strings: gcloud refuses an unquoted `cpu: 2` (revman91 F5)."""


class ProbeAction(_Open):
    port: Int32 | None = None  # a number: the v1 probe actions take no port's name
    path: StrictStr | None = None
    service: StrictStr | None = None


class Probe(_Open):
    httpGet: ProbeAction | None = None
    tcpSocket: ProbeAction | None = None
    grpc: ProbeAction | None = None
    initialDelaySeconds: Int32 | None = None
    timeoutSeconds: Int32 | None = None
    periodSeconds: Int32 | None = None
    failureThreshold: Int32 | None = None


class _Container(_Open):
    name: StrictStr | None = None
    image: Annotated[StrictStr, AfterValidator(deployable_image)]
    command: list[StrictStr] | None = None
    args: list[StrictStr] | None = None
    env: Annotated[list[EnvVar] | None, BeforeValidator(env_count)] = None
    ports: list[Port] | None = None
    volumeMounts: list[Mount] | None = None
    resources: Resources | None = None
    startupProbe: Probe | None = None
    livenessProbe: Probe | None = None
    readinessProbe: Probe | None = None


class Container(_Container, RevisionLevel):
    """A service's or a worker pool's container."""


class TaskContainer(_Container, TaskLevel):
    """A job's container."""


class KeyToPath(_Open):
    key: Version = None
    """The version (`_version`): a deploy without one is refused."""
    path: StrictStr
    mode: Int32 | None = None


class SecretVolume(_Open):
    secretName: StrictStr
    items: list[KeyToPath] | None = None
    defaultMode: Int32 | None = None


class EmptyDir(_Open):
    medium: StrictStr | None = None
    sizeLimit: StrictStr | None = None


class Csi(_Open):
    """A Cloud Storage volume (driver gcsfuse.run.googleapis.com, its bucket and mount options
    in `volumeAttributes`)."""

    driver: StrictStr | None = None
    readOnly: StrictBool | None = None
    volumeAttributes: dict[str, StrictStr] | None = None


class Nfs(_Open):
    server: StrictStr | None = None
    path: StrictStr | None = None
    readOnly: StrictBool | None = None


class Volume(_Open):
    """What the conversion reads of each kind of volume is shaped as it reads it (revman85
    F2: a wrong one was a Python error at the `kind` line)."""

    name: StrictStr
    secret: SecretVolume | None = None
    emptyDir: EmptyDir | None = None
    csi: Csi | None = None
    nfs: Nfs | None = None


class Pod(_Open):
    containers: list[Container] = Field(min_length=1)
    volumes: list[Volume] | None = None
    serviceAccountName: Annotated[StrictStr, AfterValidator(deployable_account)] | None = None
    timeoutSeconds: Int32 | None = None
    nodeSelector: dict[str, StrictStr] | None = None


class RevisionSpec(Pod):
    containerConcurrency: Int32 | None = None


class Metadata(_Open):
    name: StrictStr | None = None
    namespace: StrictStr | int | None = None
    labels: dict[str, StrictStr] | None = None
    annotations: dict[str, StrictStr] | None = None


class NamedMetadata(Metadata):
    name: StrictStr


class RevisionTemplate(_Closed):
    """v1 RevisionTemplate: metadata, spec (its annotations are its metadata's)."""

    metadata: Metadata | None = None
    spec: RevisionSpec


class InstanceSplit(_Open):
    percent: Int32 | None = None
    revisionName: StrictStr | None = None
    latestRevision: StrictBool | None = None
    """A v1 boolean: quoted ("false") it read as `bool("false")` (revman91 F4)."""


class Traffic(InstanceSplit):
    tag: StrictStr | None = None


class ServiceSpec(_Closed):
    """v1 ServiceSpec: template, traffic."""

    template: RevisionTemplate
    traffic: list[Traffic] | None = None


class ServiceDocument(_Open):
    apiVersion: Literal["serving.knative.dev/v1"]
    kind: Literal["Service"]
    metadata: NamedMetadata
    spec: ServiceSpec


class TaskSpec(Pod):
    """v1 TaskSpec: volumes, containers, timeoutSeconds, serviceAccountName, nodeSelector,
    maxRetries (Cloud Run Admin API v1 reference, TaskSpec)."""

    model_config = ConfigDict(extra="forbid")
    containers: list[TaskContainer] = Field(min_length=1)  # type: ignore[assignment]
    maxRetries: Int32 | None = None


class TaskTemplate(_Closed):
    """v1 TaskTemplateSpec: its spec only (no metadata: a Job's annotations are its
    execution template's)."""

    spec: TaskSpec


class ExecutionSpec(_Closed):
    """v1 ExecutionSpec: parallelism, taskCount, template."""

    parallelism: Int32 | None = None
    taskCount: Int32 | None = None
    template: TaskTemplate


class ExecutionTemplate(_Closed):
    """v1 ExecutionTemplateSpec: metadata, spec."""

    metadata: Metadata | None = None
    spec: ExecutionSpec


class JobSpec(_Open):
    template: ExecutionTemplate


class JobDocument(_Open):
    apiVersion: Literal["run.googleapis.com/v1"]
    kind: Literal["Job"]
    metadata: NamedMetadata
    spec: JobSpec


class PoolTemplate(_Open):
    metadata: Metadata | None = None
    spec: Pod


class PoolSpec(_Open):
    template: PoolTemplate
    instanceSplits: list[InstanceSplit] | None = None


class PoolDocument(_Open):
    apiVersion: Literal["run.googleapis.com/v1"]
    kind: Literal["WorkerPool"]
    metadata: NamedMetadata
    spec: PoolSpec


DOCUMENTS: dict[str, tuple[type[BaseModel], Kind]] = {
    "Service": (ServiceDocument, Kind.SERVICE),
    "Job": (JobDocument, Kind.JOB),
    "WorkerPool": (PoolDocument, Kind.WORKER_POOL),
}
"""The kinds of document a manifest may be, with their shape and the workload they make."""
API_OF = {"Service": SERVICE_API, "Job": JOB_API, "WorkerPool": JOB_API}
"""The apiVersion of each (`gcloud run services|jobs|worker-pools replace`)."""
MANIFEST_IS = (
    f"a manifest is a Knative Service ({SERVICE_API}), a Job or a WorkerPool ({JOB_API}), as "
    "gcloud run services|jobs|worker-pools describe --format export writes them, or a "
    "Terraform plan (terraform show -json PLAN)"
)


def is_knative(data: Any) -> bool:
    return isinstance(data, dict) and ("kind" in data or "apiVersion" in data)


def read_knative(doc: Located, problems: list[Problem]) -> Workload | None:
    """The workload a Knative document describes; what is wrong goes to `problems`."""
    data = doc.data
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in DOCUMENTS:
        problems.append(doc.problem(("kind",), f"kind {kind!r}: {MANIFEST_IS}"))
        return None
    model, workload_kind = DOCUMENTS[kind]
    api = data.get("apiVersion")
    if api != API_OF[kind]:
        # another API's object of the same kind name (a Kubernetes `v1` Service, a Knative
        # `v1alpha1` one): one line on what it is, not its shape against Cloud Run's
        what = f"kind {kind!r} without apiVersion" if api is None else f"apiVersion {api!r}"
        problems.append(
            doc.problem(
                ("apiVersion",) if "apiVersion" in data else ("kind",),
                f"{what} is not a Cloud Run {kind} ({API_OF[kind]}): {MANIFEST_IS}",
            )
        )
        return None
    found = annotation_problems(doc, data) + knative_order(doc, data, kind)
    found += knative_twice(doc, kind)
    try:
        model.model_validate(data)
    except ValidationError as exc:
        found += [_hinted(p, kind) for p in validation_problems(exc, doc, model)]
    if found:
        problems += sorted(found, key=lambda p: p.line)
        return None
    try:
        resource = from_knative(data)
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        # what the shape check lets through and the conversion cannot read (a named port)
        problems.append(doc.problem(("kind",), f"cannot read this {kind}: {exc}"))
        return None
    metadata = data["metadata"]
    labels = metadata.get("labels") or {}
    unknown = misplaced(doc, workload_kind, resource) + unread(doc, workload_kind, resource)
    unknown += fixed_name(doc, workload_kind, metadata["name"], data["spec"]["template"])
    if workload_kind is Kind.WORKER_POOL:  # automatic scaling: `pool_in` cannot hold it
        mode = doc.line(("metadata", "annotations", keys.SCALING_MODE))
        unknown += knative_pool(metadata.get("annotations") or {}, f"{doc.file}:{mode}")
    return Workload(
        kind=workload_kind,
        name=metadata["name"],
        file=doc.file,
        where=f"{doc.file}:{doc.line(('metadata', 'name'))}",
        resource=resource,
        project=str(metadata.get("namespace") or ""),
        region=str(labels.get(keys.LOCATION_LABEL, "")),
        unknown=tuple(unknown),
    )


def _hinted(problem: Problem, kind: str) -> Problem:
    if problem.message.startswith("unknown key ") or OFF_LEVEL in problem.message:
        noun = "worker-pools" if kind == "WorkerPool" else f"{kind.lower()}s"
        return replace(
            problem,
            message=f"{problem.message} (gcloud run {noun} replace refuses a key the Cloud "
            f"Run v1 {kind} does not have there)",
        )
    if ": expected a string, not " in problem.message:
        return replace(problem, message=f"{problem.message} (quote it: the API takes text)")
    if problem.message.endswith("valueFrom.secretKeyRef: required key is missing"):
        return replace(problem, message=f"{problem.message} (Cloud Run takes no other source)")
    return problem
