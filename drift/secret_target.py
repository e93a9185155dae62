"""The one name a secret goes by in every target — findings, unverified items, manual steps,
baselines, ignores: `secret.NAME` for a secret of the workload's own project (SPEC: target
`secret.NAME`), else `secret.PROJECT/NAME` by the project's id when it is known. However a
reference spells the project (omitted, by id, by number) and whether GetProject could be read,
one secret keeps one target: Secret Manager's own answers name the project by its number
(`projects/NUMBER/secrets/…`, `drift.live.secrets`), which tells the number of an id asked
for; only a number no answer and no GetProject tied to an id stays a number."""

from __future__ import annotations

from typing import Protocol

from drift.refs import SecretRef


class Projects(Protocol):
    """What a run learnt of projects' names (`drift.live.state.LiveState`)."""

    def project_of(self, token: str, own: str) -> str: ...


def secret_key(ref: SecretRef, projects: Projects | None, own: str) -> str:
    """The secret's name in targets and messages: `NAME` in the workload's own project (`own`,
    its id as the profile gives it), else `PROJECT/NAME` by id when known. A form drift does
    not read keeps its text (`SecretRef.unread`)."""
    if ref.unread:
        return ref.key
    if projects is None:
        return ref.secret if ref.project in ("", own) else ref.key
    project = projects.project_of(ref.project, own)
    mine = projects.project_of(own, own)
    return ref.secret if project in (own, mine) else f"{project}/{ref.secret}"


def secret_target(ref: SecretRef, projects: Projects | None, own: str) -> str:
    """`secret.` and the secret's name (`secret_key`)."""
    return f"secret.{secret_key(ref, projects, own)}"


def respelled(target: str, projects: Projects | None, own: str) -> str:
    """A target as `secret_target` names its secret (`secret.P/NAME` of the own project is
    `secret.NAME`); any other target unchanged."""
    kind, _, key = target.partition(".")
    if kind != "secret" or not key:
        return target
    project, _, secret = key.rpartition("/")
    if "/" in project:  # a form drift does not read, kept whole
        return target
    return secret_target(SecretRef(secret, "latest", project), projects, own)


def perhaps_same(target: str, unnamed: str) -> bool:
    """Whether `unnamed`, a secret of a project this run knows only by its number
    (`secret.NUMBER/NAME`: GetProject could not be read, and no answer tied the number to an
    id), may be the secret `target` names (`secret.PROJECT_ID/NAME`, or `secret.NAME` of the
    own project): same name, so it cannot be told apart."""
    kind, _, key = target.partition(".")
    project, _, secret = unnamed.removeprefix("secret.").rpartition("/")
    return (
        kind == "secret"
        and unnamed != target
        and unnamed.startswith("secret.")
        and project.isdigit()
        and secret == key.rpartition("/")[2]
    )
