"""A value the plan marks sensitive in another resource than a workload (the `secret_data` of a
version it creates) or a variable declared `sensitive` is never shown, where a workload's
variable holds it as a plain value Terraform does not mark (`nonsensitive()`, a literal copied
into the configuration): it was printed whole in every format (helper-698 F9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

VALUE = "correct horse battery staple 42"
STRICT = API_ONLY + "    unexpected_env: error\n"


def _version(marks: Any) -> dict[str, Any]:
    after = {"secret_data": VALUE, "enabled": True, "deletion_policy": "DELETE"}
    return {
        "address": "google_secret_manager_secret_version.db",
        "mode": "managed",
        "type": "google_secret_manager_secret_version",
        "name": "db",
        "change": {"actions": ["create"], "before": None, "after": after,
                   "after_unknown": {"secret": True, "name": True}, "after_sensitive": marks},
    }  # fmt: skip


def _plan(where: str) -> dict[str, Any]:
    """api known, with GREETING holding VALUE unmarked; VALUE sensitive in `where`."""
    data = plan()
    api = known_api(data)
    api["change"]["after"]["template"][0]["containers"][0]["env"].append(
        {"name": "GREETING", "value": VALUE, "value_source": []}
    )
    data["resource_changes"] = [api]
    if where == "resource":
        data["resource_changes"].append(_version({"secret_data": True}))
    elif where == "whole resource":
        data["resource_changes"].append(_version(True))
    else:  # a variable declared sensitive
        data["variables"] = {"db_password": {"value": VALUE}}
        data["configuration"] = {"root_module": {"variables": {"db_password": {"sensitive": True}}}}
    return data


@pytest.mark.parametrize("where", ["resource", "whole resource", "variable"])
@pytest.mark.parametrize("form", ["json", "table", "github"])
def test_a_value_the_plan_marks_sensitive_elsewhere_is_never_shown(
    tmp_path: Path, where: str, form: str
) -> None:
    done = check_offline(tmp_path, _plan(where), STRICT, "-f", form)
    assert done.returncode == 1, done.stderr
    assert "GREETING" in done.stdout  # env.unexpected, as before
    assert VALUE not in done.stdout + done.stderr


def test_a_plain_value_no_mark_names_is_shown(tmp_path: Path) -> None:
    """Unmarked, the same resource's value is no secret of the plan's: shown as before."""
    data = _plan("resource")
    data["resource_changes"][1]["change"]["after_sensitive"] = {}
    done = check_offline(tmp_path, data, STRICT, "-f", "json")
    assert VALUE in done.stdout
