"""A failed template is replaced, whatever it holds (SPEC invariant 8; `test_base.py`
test_a_failed_template_is_replaced_by_what_serves). revown38 F1: with a field the installed
client does not know on that failed template, the fix stopped and offered `drift fix
--from-template` — building on the spec that failed, the broken image included. Its unknown
fields go with the rest of that spec; only the serving revision's own would be lost, and then
the way on is never `--from-template`.

Repro: .venv/bin/python -m pytest -q tests/fix/test_base_unknown_failed.py -n 0"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world, updates
from tests.fix.test_base_unknown_fields import REV
from tests.newer.test_unknown_fields import TPL, unknown

pytestmark = pytest.mark.sandbox

V1 = "us-docker.pkg.dev/lab/app:v1"
BROKEN = "us-docker.pkg.dev/lab/app:v3-broken"


def failed_with_unknown(make_sandbox: MakeSandbox, *, on_revision: bool) -> Sandbox:
    """The latest deploy (image v3-broken) failed and its template holds an unknown field;
    traffic stays on v1 (and that revision holds one too when `on_revision`)."""
    sandbox = make_sandbox(
        lab_world(
            template={"image": BROKEN, "port": 8080, "env": {"DEBUG": "true"}},
            history=[{"image": V1}],
            failed=f"Image '{BROKEN}' not found.",
        )
    )
    serving = str(sandbox.service(LAB, "app").latest_ready_revision).rsplit("/", 1)[-1]

    def apply() -> None:
        rec: Any = sandbox._core.world.find_service(LAB, "app")  # noqa: SLF001
        rec.pb.template.MergeFromString(unknown(900, TPL.decode()))
        if on_revision:
            rec.revisions[serving].MergeFromString(unknown(901, REV.decode()))

    sandbox._run(apply)  # noqa: SLF001
    return sandbox


def test_a_failed_templates_unknown_field_is_replaced_with_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = failed_with_unknown(make_sandbox, on_revision=False)
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "failed revision" in out and "--from-template" not in out, out
    assert sandbox.service(LAB, "app").template.containers[0].image == V1, out


def test_the_serving_revisions_unknown_field_stops_it_without_offering_the_failed_template(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = failed_with_unknown(make_sandbox, on_revision=True)
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and updates(sandbox) == [], out
    assert "field 901" in out and "field 900" not in out, out
    assert "google-cloud-run" in out and "--from-template" not in out, out
