"""What Cloud Run accepts in a resource's labels and annotations, in its containers' image
references and in the secret references its revisions use: checked on a write (the request is
refused, INVALID_ARGUMENT) and on the resources a scenario seeds (a scenario error: real Cloud
Run could never hold them, and a test against them would be harsher than reality).

Labels: "Only valid Google Cloud labels can be used on Cloud Run" (cloud.google.com/run/docs/
configuring/services/labels, "Labels usage rules"), which are (cloud.google.com/resource-manager/
docs/creating-managing-labels, "Requirements for labels"): keys and values of at most 63
characters, of lowercase letters, numeric characters, underscores and dashes, international
characters allowed; a key starts with a lowercase letter or an international character; at
most 64 labels a resource. Keys in the namespaces Cloud Run reserves are governed by the
reserved rule alone (`RESERVED`). Annotations are free text (only the reserved rule).

Images: run v2 Container.image, "Name of the container image in Dockerhub, Google Artifact
Registry, or Google Container Registry. If the host is not provided, Dockerhub is assumed":
an image reference, as the distribution grammar has it (github.com/distribution/reference,
reference.go): `[host[:port]/]path[:tag][@digest]`, path components of lowercase letters and
digits joined by `.`, `_`, `__` or dashes, a tag `[\\w][\\w.-]{0,127}`, a name of at most 255
characters.

Secret references: SecretKeySelector (run v2 k8s_min.proto) `secret` is "{secret_name} if the
secret is in the same project. projects/{project}/secrets/{secret_name} if the secret is in a
different project", `version` "'latest' for the latest version, an integer for a specific
version, or a version alias"; a project is an id (lowercase letters, digits and hyphens; a
domain-scoped one `example.com:proj`) or a number. Which other forms Cloud Run takes is not
documented: the sandbox takes them as written (drift reads none of them), but no text with
whitespace or control characters, which no resource name holds."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping

from google.protobuf.message import Message

from drift.errors import InputError, Problem
from drift.sandbox.names import invalid
from drift.sandbox.state import World

# "Cloud Run API v2 does not support labels/annotations with `run.googleapis.com`,
# `cloud.googleapis.com`, `serving.knative.dev`, or `autoscaling.knative.dev` namespaces,
# and they will be rejected" (Service/RevisionTemplate `labels` and `annotations`).
RESERVED = (
    "run.googleapis.com",
    "cloud.googleapis.com",
    "serving.knative.dev",
    "autoscaling.knative.dev",
)
LABEL_MAX = 63
LABELS_MAX = 64
_WHERE = {"Service": "service", "WorkerPool": "worker_pool", "Job": "job"}

_ALNUM = r"[a-z0-9]+"
_COMPONENT = rf"{_ALNUM}(?:(?:[._]|__|-+){_ALNUM})*"
_HOST_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?"
# go-digest (which distribution's parser calls): the algorithms it knows, each with its length
# of lowercase hex ("lower case only"); any other algorithm is unsupported
_DIGEST = r"sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}"
IMAGE = re.compile(
    rf"(?P<name>(?:(?P<host>{_HOST})/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    rf"(?::[\w][\w.-]{{0,127}})?(?:@(?:{_DIGEST}))?",
    re.ASCII,
)
# the registries Cloud Run deploys from (option `image_registries: supported`)
SUPPORTED_HOST = re.compile(
    r"((?:[a-z]+\.)?gcr\.io|(?:[a-z0-9-]+-)?docker\.pkg\.dev|(?:index\.|registry-1\.)?docker\.io"
    r"|ghcr\.io)",
    re.IGNORECASE,
)
IMAGE_NAME_MAX = 255
VERSION = re.compile(r"latest|[1-9][0-9]*|[A-Za-z][A-Za-z0-9_-]{0,62}")
PROJECT = re.compile(r"(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]*|[0-9]+")
_UNPRINTABLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def reserved(key: str) -> bool:
    prefix = key.split("/", 1)[0] if "/" in key else ""
    return any(prefix == ns or prefix.endswith(f".{ns}") for ns in RESERVED)


_NAMING = "does not conform to GCP naming style"
_CHARACTERS = (
    "can only contain lowercase letters, numeric characters, underscores and dashes. The {0} "
    "can be at most 63 characters long. International characters are allowed."
)


def _label_char(char: str, *, first: bool = False) -> bool:
    kind = unicodedata.category(char)
    if first:
        return kind in ("Ll", "Lo")
    return kind in ("Ll", "Lo") or kind.startswith("N") or char in "_-"


@functools.lru_cache(maxsize=4096)  # each reset checks the scenario's labels again: the same
def label_problem(key: str, value: str) -> str | None:  # pairs, a character at a time
    """Why `key: value` is no valid Google Cloud label, or None, in the words the v2 API
    answers with ("labels: At least one label does not conform to GCP naming style. Label
    value 'v4.1.2' violates format constraints. …", DataDog/datadog-ci#1955; the key's,
    pulumi/pulumi-gcp#1387). A key in a reserved namespace is the reserved rule's
    (`_check_reserved`), but never holds whitespace or a control character, nor its value:
    no label does (helper-596 F2)."""
    if reserved(key):
        if _UNPRINTABLE.search(key) or _UNPRINTABLE.search(value):
            return f"At least one label {_NAMING}. Label '{key}' violates format constraints."
        return None
    if (
        not key
        or len(key) > LABEL_MAX
        or not _label_char(key[0], first=True)
        or not all(_label_char(c) for c in key)
    ):
        return (
            f"At least one label {_NAMING}. Label key '{key}' violates format constraints. The "
            f"key must start with a lowercase character, {_CHARACTERS.format('key')}"
        )
    if len(value) > LABEL_MAX or not all(_label_char(c) for c in value):
        return (
            f"At least one label {_NAMING}. Label value '{value}' violates format constraints. "
            f"The value {_CHARACTERS.format('value')}"
        )
    return None


def image_problem(image: str, registries: str = "any") -> str | None:
    """Why `image` is no container image reference (`registries: supported`: or one from a
    registry Cloud Run does not deploy from), or None. A first part is a host when it holds
    a `.` or a `:` or is `localhost` (distribution's rule); else the image is Docker Hub's."""
    if not image:
        return "must be set."
    found = IMAGE.fullmatch(image)
    if found is None or len(found["name"]) > IMAGE_NAME_MAX:
        return f"'{image}' is not a valid container image reference."
    host = found["host"] or ""
    if not (set(host) & {".", ":"} or host == "localhost"):
        host = ""  # `team/app`: Docker Hub's
    if registries == "supported" and host and not SUPPORTED_HOST.fullmatch(host):
        return (
            "Expected an image path like [host/]repo-path[:tag and/or @digest], where host is "
            f"one of [region.]gcr.io, [region-]docker.pkg.dev or docker.io but obtained {image}"
        )
    return None


def secret_ref_problem(secret: str, version: str | None) -> str | None:
    """Why a reference to `secret` (its `version`; None: a volume's item that names none) is
    none Cloud Run could hold, or None."""
    if _UNPRINTABLE.search(secret) or (version and _UNPRINTABLE.search(version)):
        return f"secret reference '{secret}' (version '{version}') holds no resource name"
    parts = secret.split("/")
    if len(parts) == 4 and parts[0] == "projects" and parts[2] == "secrets":
        if not PROJECT.fullmatch(parts[1]):
            return f"secret reference '{secret}': '{parts[1]}' is no project id or number"
    if version and not VERSION.fullmatch(version):
        return f"secret version '{version}' of '{secret}' is not 'latest', a number or an alias"
    return None


def _check_reserved(
    world: World, where: str, wanted: Mapping[str, str], stored: Mapping[str, str]
) -> None:
    """A reserved key is refused unless it resends, unchanged, what the resource already
    carries (a client writing back what it read); `reserved_metadata: reject` refuses it
    always (the strict reading of the comments)."""
    strict = world.options.reserved_metadata == "reject"
    for key, value in wanted.items():
        if reserved(key) and (strict or stored.get(key) != value):
            raise invalid(
                f"{where}: '{key}' is in a namespace Cloud Run API v2 does not support; "
                "use the corresponding v2 field instead."
            )


def validate_metadata(
    world: World, resource: Message, current: Message | None, written: list[str] | None = None
) -> None:
    """Reserved labels and annotations of a Service, WorkerPool or Job and of its template
    (their `labels` and `annotations` comments say the same), and the labels' format.
    `written`: the update's `update_mask` (None: every field written): a map it does not
    name is not sent, so what the resource holds there stands unjudged (the v2 comments:
    such keys "will be rejected in new resources")."""
    stored = current if current is not None else type(resource)()
    where = _WHERE.get(resource.DESCRIPTOR.name, "service")
    for path in ("", "template."):
        wanted, before = resource, stored
        if path:
            wanted, before = resource.template, stored.template
        for field in ("labels", "annotations"):
            at, name = f"{where}.{path}{field}", f"{path}{field}"
            if written is not None and not any(
                name == p or name.startswith(f"{p}.") for p in written
            ):
                continue
            _check_reserved(world, at, getattr(wanted, field), getattr(before, field))
        if problem := next(_label_problems(wanted.labels), None):
            raise invalid(f"{path}labels: {problem}")  # the API's field prefix: `labels:`
    holder = _holder(resource)
    registries = world.options.image_registries
    for index, container in enumerate(holder.containers):
        if problem := image_problem(container.image, registries):
            raise invalid(f"spec.template.spec.containers[{index}].image: {problem}")
    if problem := next(_ref_problems(holder), None):
        # SecretKeySelector.version (run v2 k8s_min.proto) allows "'latest' …, an integer …,
        # or a version alias": the request is refused rather than a revision made of a
        # reference no version can answer (what the API does is not documented; this is
        # the field's rule, as seeding holds it: helper-596 F3)
        raise invalid(f"spec.template.spec: {problem}")


def _label_problems(labels: Mapping[str, str]) -> Iterator[str]:
    if len(labels) > LABELS_MAX:
        yield f"at most {LABELS_MAX} labels, got {len(labels)}"
    yield from filter(None, (label_problem(k, v) for k, v in labels.items()))


def seeded_problems(resources: Iterable[Message], registries: str = "any") -> Iterator[str]:
    """Why a seeded Service, WorkerPool, Job or Revision is none Cloud Run could hold: its
    labels (and its template's), its containers' images, its secret references."""
    for resource in resources:
        nested = "template" in resource.DESCRIPTOR.fields_by_name  # a Revision holds none
        labelled = [resource, resource.template] if nested else [resource]
        for message in labelled:
            yield from _label_problems(message.labels)
        holder = _holder(resource)
        for container in holder.containers:
            if problem := image_problem(container.image, registries):
                hint = " (ghcr.io too; options.image_registries: any takes every registry)" * (
                    registries == "supported" and "host is one of" in problem
                )
                yield f"container image: {problem}{hint}"
        yield from _ref_problems(holder)


def _holder(resource: Message) -> Message:
    """The message holding `resource`'s containers and volumes (a Job's ExecutionTemplate
    holds its TaskTemplate)."""
    holder = resource
    while not holder.DESCRIPTOR.fields_by_name.get("containers"):
        holder = holder.template
    return holder


def _ref_problems(holder: Message) -> Iterator[str]:
    """Why a secret reference of `holder`'s containers or volumes is none Cloud Run holds."""
    for container in holder.containers:
        for var in container.env:
            if var.HasField("value_source"):
                ref = var.value_source.secret_key_ref
                yield from filter(None, [secret_ref_problem(ref.secret, ref.version)])
    for volume in holder.volumes:
        if volume.HasField("secret"):
            refs = [(volume.secret.secret, i.version) for i in volume.secret.items]
            refs = refs or [(volume.secret.secret, None)]
            yield from filter(None, (secret_ref_problem(s, v) for s, v in refs))


def refuse_seeded(at: str, resources: Iterable[Message], registries: str = "any") -> None:
    """A scenario error (`at`: where, `projects.P.services.S`) for the first thing a seeded
    resource holds that Cloud Run could not (`seeded_problems`)."""
    if problem := next(seeded_problems(resources, registries), None):
        raise InputError([Problem("<scenario>", 1, f"{at}: {problem}")], kind="scenario")
