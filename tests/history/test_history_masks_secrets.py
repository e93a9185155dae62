"""`drift history` masks on the data, before any format renders it: the plain value of a
variable that is a secret reference in another revision (very likely that secret's value,
inlined), and a plain value the profile wants secret in a revision whose main container had
another name than the profile's `container:` (revsincerows F3, F4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.history.cli import profile_folder as _profile
from tests.history.cli import run as _run

INLINED = "lic-7781-inlined-value"


@pytest.mark.parametrize("reader", [True, False], ids=["check-reads-it", "nothing-reads-it"])
def test_history_masks_a_secret_value_inlined_into_a_plain_variable(
    tmp_path: Path, make_sandbox: MakeSandbox, reader: bool
) -> None:
    """LICENSE_CODE of `inl` was a reference to secret `lic`; the next deploy set it to the
    secret's value as plain text. In the same environment `reader` references `lic` with a
    constraint, so `drift check` reads its value and masks it everywhere (`actual: ***` on
    inl's env.unexpected). `drift history` of the same environment prints it in clear in
    "changed env.LICENSE_CODE: secret lic:latest -> …" unless it masks, on the data, the
    plain value of a variable that is a reference in another revision. README: history values
    are "masked exactly as in findings"; SPEC: no secret value in any output. Without
    `reader` nothing reads the secret: history masks it all the same."""
    services: dict[str, Any] = {
        "inl": {
            "template": {"env": {"LICENSE_CODE": INLINED}},
            "history": [{"env": {"LICENSE_CODE": {"secret": "lic"}}, "created": "2d"}],
        },
    }
    if reader:
        services["reader"] = {"template": {"env": {"LICENSE_CODE": {"secret": "lic"}}}}
    region = {
        "number": 3,
        "region": "us-central1",
        "services": services,
        "secrets": {"lic": {"versions": [INLINED]}},
    }
    sandbox = make_sandbox({"options": {"seed": 3}, "projects": {"p": region}})
    sandbox.grant(
        "projects/p/secrets/lic",
        "roles/secretmanager.secretAccessor",
        "serviceAccount:3-compute@developer.gserviceaccount.com",
    )
    reads = "  reader: {env: {LICENSE_CODE: {secret: lic, min_length: 5}}}\n" if reader else ""
    folder = _profile(
        tmp_path,
        "project: p\nregion: us-central1\nservices:\n"
        "  inl: {unexpected_env: warn, env: {}}\n" + reads,
    )
    if reader:
        checked = _run(sandbox, folder, "check", "lab", "--format", "json").stdout
        assert INLINED not in checked  # check masks it: it read the secret
    for fmt in ("table", "json", "markdown"):
        shown = _run(sandbox, folder, "history", "lab", "--format", fmt).stdout
        assert "LICENSE" in shown
        assert INLINED not in shown, (fmt, shown)
    shown = _run(sandbox, folder, "history", "lab", "--format", "json").stdout
    inl = next(s for s in json.loads(shown)["services"] if s["service"] == "inl")
    changed = [c for r in inl["revisions"] for c in r["changes"] or ()]
    (change,) = [c for c in changed if c["target"] == "env.LICENSE_CODE"]
    # masked on the data (not only by the final scrub of known values): the reference shown
    assert (change["before"], change["after"]) == ("secret lic:latest", "***"), change


BEFORE_RENAME = "plainseed-before-rename-77"


def _app(name: str, env: list[dict[str, Any]]) -> dict[str, Any]:
    container = {"name": name, "image": "img/app:1", "ports": [{"containerPort": 8080}]}
    return {"containers": [{**container, "env": env}]}


@pytest.mark.parametrize("container_line", ["    container: app\n", ""])
def test_history_masks_what_the_profile_wants_secret_whatever_the_containers_old_name(
    tmp_path: Path, make_sandbox: MakeSandbox, container_line: str
) -> None:
    """The profile wants APP_SEED to be a Secret Manager reference. Revision 1 (its one,
    ingress, container then named `web`) held it as a plain value; revision 2 names the
    container `app` and references secret `seed`. Without `container:` in the profile,
    history shows `removed env.APP_SEED (was ***)`; with `container: app` (README: "which
    container `env` describes") too: the profile's `env` rules describe each revision's main
    container whatever it was called then (`RevisionConfig.described`)."""
    secret_ref = {"secretKeyRef": {"secret": "seed", "version": "latest"}}
    service = {
        "template": {"api": _app("app", [{"name": "APP_SEED", "valueSource": secret_ref}])},
        "history": [
            {"api": _app("web", [{"name": "APP_SEED", "value": BEFORE_RENAME}]), "created": "3d"}
        ],
    }
    region = {
        "number": 3,
        "region": "us-central1",
        "services": {"app": service},
        "secrets": {"seed": {"versions": ["seedvalue-1"]}},
    }
    sandbox = make_sandbox({"options": {"seed": 3}, "projects": {"p": region}})
    folder = _profile(
        tmp_path,
        f"project: p\nregion: us-central1\nservices:\n  app:\n{container_line}"
        "    env:\n      APP_SEED: {secret: seed}\n",
    )
    for fmt in ("table", "json", "markdown"):
        shown = _run(sandbox, folder, "history", "lab", "--format", fmt).stdout
        assert "SEED" in shown
        assert BEFORE_RENAME not in shown, (fmt, shown)
