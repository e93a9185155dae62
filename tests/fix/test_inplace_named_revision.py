"""A fix in place (a service's own setting: ingress) sends the template back as read, and a
gcloud-deployed template names its revision. Cloud Run has refused such v2 writes with 409
"Revision named '…' with different configuration already exists." though the template was not
changed (googleapis/google-cloud-python#14259: only service-level scaling changed; #11870:
only traffic tags), a configuration the v2 API does not return being part of the stored one
(helper-535). The sandbox keeps an unchanged template as it is (the documented rule); the
refusal is the server's answer here: nothing changed, exit 4, and what to do next."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Fault, Sandbox
from tests.fix.conftest import LAB, ScriptedUI, fix
from tests.fix.test_inplace_over_theirs import ingress_only

pytestmark = pytest.mark.sandbox
REFUSAL = "Revision named 'app-00001-abc' with different configuration already exists."


def test_a_refused_write_in_place_says_nothing_changed_and_what_to_do(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, env, profiles = ingress_only(reseedable, tmp_path, "aborted", monkeypatch)
    before = sandbox.service(LAB, "app")
    sandbox.inject(Fault("UpdateService", "ALREADY_EXISTS", message=REFUSAL))
    result = fix(
        tmp_path, env, ScriptedUI([True]), FixOptions(verify=False), environment="lab",
        profiles=profiles,
    )  # fmt: skip
    said = result.summary()
    assert result.exit_code is ExitCode.ABORTED, said
    assert f"ALREADY_EXISTS: {REFUSAL}); nothing was changed" in said
    assert "  hint: ALREADY_EXISTS: Cloud Run holds the revision the template names" in said
    assert "`drift plan ENV --format gcloud` gives the gcloud command" in said
    after = sandbox.service(LAB, "app")
    assert (after.ingress, after.etag) == (before.ingress, before.etag)
