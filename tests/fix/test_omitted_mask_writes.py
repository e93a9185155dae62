"""drift's writes name what they set in an `update_mask` (`drift.fix.update_mask`, review 848
F1), so how a server reads one omitted (sandbox option `omitted_mask`, helper-699 F1) no longer
matters: a fix that sets one of the service's own settings to its empty value names that field
(`scaling.min_instance_count`, `invoker_iam_disabled`), which is written empty under either
reading. Before, sent with no mask, AIP-134's implied mask ("all fields that are populated")
left the value sent empty unwritten, and the fix said the update did not complete."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI
from tests.fix.test_service_level import _fix_own, _own_settings_world


@pytest.mark.parametrize("option", ["whole", "populated"])
@pytest.mark.parametrize(
    ("setting", "held"),
    [
        ("min_instances: 0", lambda s: s.scaling.min_instance_count),
        ("invoker_iam_disabled: false", lambda s: s.invoker_iam_disabled),
    ],
    ids=["service-min", "invoker-iam"],
)
def test_a_setting_emptied_in_place_is_done_only_when_read_back_so(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    setting: str,
    held: Callable[[run_v2.Service], Any],
) -> None:
    world = _own_settings_world(scaling={"minInstanceCount": 2}, invokerIamDisabled=True)
    world["options"]["omitted_mask"] = option
    sandbox = make_sandbox(world)
    was = held(sandbox.service(LAB, "app"))
    ui = ScriptedUI()
    result = _fix_own(tmp_path, sandbox, f"      {setting}\n", monkeypatch, ui)
    now = held(sandbox.service(LAB, "app"))
    said = result.summary()
    assert was, said
    assert result.exit_code is ExitCode.OK and not now, said
    assert "updated in place" in said, said
