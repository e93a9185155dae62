"""What Cloud Run documents it refuses in a container or a template, refused where a manifest
states it (`file:line` for a Knative document, the JSON path for a Terraform plan; exit 2,
nothing checked), as the deploy would be refused: a manifest is text a pull request writes,
and a gate that says nothing of one that cannot deploy passes it (helper-662 F6).

Only what Cloud Run's documentation says it refuses is refused here: a variable name
(`drift.profiles.rules_spec.check_var_name`), more than `ENV_COUNT_MAX` variables in one
container, a value over `VALUE_MAX` bytes, an image that is no image reference, a service
account that is no email address, a mount path holding `:`. A revision name's characters are
not documented (RevisionTemplate.revision: "The unique name for the revision"): a name not
starting with its workload's is `refused.fixed_name`'s (not verified), any other left to
Cloud Run."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from drift import redact
from drift.images import REFERENCE
from drift.manifest.envnames import repeated, stated_twice
from drift.manifest.proto import PathProblem
from drift.manifest.unknowns import TPath, value_at
from drift.profiles.env_count import ENV_COUNT_MAX
from drift.profiles.rules_spec import VALUE_MAX, check_var_name

ACCOUNT = re.compile(r"[^@/:\s]+@[^@/:\s]+\.[^@/:\s]+")
"""RevisionTemplate.service_account (TaskTemplate's, WorkerPoolRevisionTemplate's; v1
RevisionSpec.serviceAccountName alike): "Email address of the IAM service account associated
with the revision" (google/cloud/run/v2/revision_template.proto, Cloud Run Admin API v1
RevisionSpec): an address, one `@`, no white space or line break, not IAM's resource name
(`projects/-/serviceAccounts/…`) nor a member (`serviceAccount:…`). Upper case is not
documented either way: taken (`drift.sandbox.scenario_fields.account_problem` reads it so)."""


SENSITIVE = "(sensitive: not shown)"


def quoted(value: str, shown: str) -> str:
    """How a refusal names a value: `shown`, or `SENSITIVE` where it is a secret (a value a
    plan marks sensitive, `service_account = var.db_password`): said so, not `'***'`, which
    reads as the value (helper-834 F2)."""
    return SENSITIVE if redact.is_secret(value) else shown


def env_count_problem(count: int) -> str | None:
    if count <= ENV_COUNT_MAX:
        return None
    return (
        f"{count} environment variables in one container: Cloud Run sets at most "
        f"{ENV_COUNT_MAX}, and the deploy is refused"
    )


def value_problem(value: str) -> str | None:
    """A value over Cloud Run's limit, said by its size only (it may be a credential):
    run v2 EnvVar.value, "the maximum length is 32768 bytes" (k8s_min.proto)."""
    size = len(value.encode("utf-8", "surrogatepass"))
    if size <= VALUE_MAX:
        return None
    return (
        f"a variable's value of {size} bytes: Cloud Run takes at most {VALUE_MAX} bytes "
        "(EnvVar.value), and the deploy is refused"
    )


def image_problem(image: str) -> str | None:
    """run v2 Container.image: "Name of the container image in Dockerhub, Google Artifact
    Registry, or Google Container Registry" (k8s_min.proto); Cloud Run refuses another text
    with INVALID_ARGUMENT "Expected an image path like [host/]repo-path[:tag and/or @digest]"
    (as users quote the server: ko-build/terraform-provider-ko#205). The grammar is
    distribution's (`drift.images.REFERENCE`)."""
    if REFERENCE.fullmatch(image):
        return None
    return (
        f"image {quoted(image, repr(image[:200]))} is not a container image reference "
        "([host/]repo-path[:tag and/or @digest]): the deploy is refused"
    )


def account_problem(account: str) -> str | None:
    if not account or ACCOUNT.fullmatch(account):
        return None
    return (
        f"service account {quoted(account, repr(account[:200]))} is not an email address "
        "(Cloud Run takes the email address of the IAM service account): the deploy is refused"
    )


def mount_problem(path: str) -> str | None:
    """run v2 VolumeMount.mount_path: "Path within the container at which the volume should be
    mounted. Must not contain ':'." (k8s_min.proto; v1 VolumeMount.mountPath alike)."""
    if ":" not in path:
        return None
    return f"mount path {quoted(path, repr(path[:200]))} holds ':', which Cloud Run refuses"


def _deployable(problem: Callable[[str], str | None]) -> Callable[[str], str]:
    """A pydantic validator of a Knative document's field: the value, or the `problem`'s
    words as a ValueError (pydantic puts them at the field's line)."""

    def check(value: str) -> str:
        _raise(problem(value))
        return value

    return check


deployable_image = _deployable(image_problem)
deployable_value = _deployable(value_problem)
deployable_account = _deployable(account_problem)
deployable_mount = _deployable(mount_problem)


def env_count(variables: Any) -> Any:
    """A container's `env` list of more than `ENV_COUNT_MAX` entries, refused before its
    entries are read (one problem, not one an entry)."""
    if isinstance(variables, list):
        _raise(env_count_problem(len(variables)))
    return variables


def _raise(problem: str | None) -> None:
    if problem is not None:
        raise ValueError(problem)


def refused_in_plan(after: dict[str, Any], template: TPath, here: str) -> None:
    """The first of a plan's values that Cloud Run refuses, at its JSON path (`PathProblem`):
    `template` is where `after` holds the template whose `containers` run (and its
    `service_account`). A value not known until apply is not in `after`, nor judged."""
    at = f"{here}{_json_path(template)}"
    account = value_at(after, (*template, "service_account"))
    if isinstance(account, str) and (problem := account_problem(account)):
        raise PathProblem(f"{at}.service_account", problem)
    containers = value_at(after, (*template, "containers"))
    for c, container in enumerate(containers if isinstance(containers, list) else []):
        if isinstance(container, dict):
            for path, problem in _container(container, f"{at}.containers[{c}]"):
                raise PathProblem(path, problem)


def _container(container: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    image = container.get("image")
    if isinstance(image, str) and (problem := image_problem(image)):
        yield f"{at}.image", problem
    variables = container.get("env")
    listed = variables if isinstance(variables, list) else []
    if problem := env_count_problem(len(listed)):
        yield f"{at}.env", problem
    for first, j, twice in repeated(variables):  # one entry of a name passed over (F1)
        yield f"{at}.env[{j}].name", stated_twice(twice, f"env[{first}]")
    for e, var in enumerate(listed):
        name = var.get("name") if isinstance(var, dict) else None
        if isinstance(name, str):  # else not known until apply, or not text (said elsewhere)
            try:
                check_var_name(name)
            except ValueError as exc:
                yield f"{at}.env[{e}].name", str(exc)
        value = var.get("value") if isinstance(var, dict) else None
        if isinstance(value, str) and (problem := value_problem(value)):
            yield f"{at}.env[{e}].value", problem
    mounts = container.get("volume_mounts")
    for m, mount in enumerate(mounts if isinstance(mounts, list) else []):
        path = mount.get("mount_path") if isinstance(mount, dict) else None
        if isinstance(path, str) and (problem := mount_problem(path)):
            yield f"{at}.volume_mounts[{m}].mount_path", problem


def _json_path(at: TPath) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at)
