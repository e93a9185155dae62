"""A value a Terraform plan marks sensitive is a secret in every form it may be copied in, as
one read from Secret Manager is (`planmarked`): its base64 and hex, a marked URL's password,
the secret a version holds as its base64 (`is_secret_data_base64`), a sensitive variable's
`default` (of the root module, of a module, given by a module call), a number's text and a
sensitive map's keys — each printed whole, in every format and in `--output` files, by a plain
variable of the workload that held a copy (helper-834 F1, F3, F4)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, check_written, known_api, plan

PW = "Sup3rS3cretPassw0rd!"
URL = "postgresql://chat:Hunter2Passw0rdXyz@10.0.0.3:5432/chat"
PIN = 48151623942
KEY = "wombat-correct-horse-battery"
STRICT = API_ONLY + "    unexpected_env: error\n"
FORMATS = ["table", "json", "sarif", "github", "markdown"]


def _with_copy(copy: str, marked: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan with api alone (`known_api`), its variable COPY holding `copy` unmarked; and
    the api's change (`marked`: its own SECRET_X, marked by its `after_sensitive`)."""
    data = plan()
    api = known_api(data)
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    env.append({"name": "COPY", "value": copy, "value_source": []})
    if marked is not None:
        env.append({"name": "SECRET_X", "value": marked, "value_source": []})
        marks: list[Any] = [{} for _ in env]
        marks[-1] = {"value": True}
        api["change"]["after_sensitive"] = {"template": [{"containers": [{"env": marks}]}]}
    data["resource_changes"] = [api]
    return data, api


def _version(data: dict[str, Any], after: dict[str, Any]) -> None:
    """A secret version the plan creates, whose `secret_data` its marks mark."""
    data["resource_changes"].append({
        "address": "google_secret_manager_secret_version.db", "mode": "managed",
        "type": "google_secret_manager_secret_version", "name": "db",
        "change": {"actions": ["create"], "before": None, "after": after,
                   "after_unknown": {}, "after_sensitive": {"secret_data": True}},
    })  # fmt: skip


def _own_base64() -> dict[str, Any]:
    return _with_copy(base64.b64encode(PW.encode()).decode(), marked=PW)[0]


def _version_hex() -> dict[str, Any]:
    data, _ = _with_copy(PW.encode().hex())
    _version(data, {"secret_data": PW, "enabled": True})
    return data


def _version_base64() -> dict[str, Any]:
    data, _ = _with_copy(PW)
    encoded = base64.b64encode(PW.encode()).decode()
    _version(data, {"secret_data": encoded, "is_secret_data_base64": True, "enabled": True})
    return data


def _url_password() -> dict[str, Any]:
    data, _ = _with_copy("Hunter2Passw0rdXyz")
    _version(data, {"secret_data": URL, "enabled": True})
    return data


def _root_default() -> dict[str, Any]:
    data, _ = _with_copy(PW)
    data["variables"] = {"pw": {"value": "overriddenvalue"}}
    declared = {"pw": {"default": PW, "sensitive": True}}
    data["configuration"] = {"root_module": {"variables": declared}}
    return data


def _module(call: dict[str, Any]) -> dict[str, Any]:
    data, _ = _with_copy(PW)
    data["variables"] = {}
    data["configuration"] = {"root_module": {"module_calls": {"m": call}}}
    return data


def _module_default() -> dict[str, Any]:
    return _module(
        {"source": "./m", "module": {"variables": {"pw": {"default": PW, "sensitive": True}}}}
    )


def _module_given() -> dict[str, Any]:
    """A module call giving its sensitive variable a literal (no default)."""
    return _module({
        "source": "./m", "expressions": {"pw": {"constant_value": PW}},
        "module": {"variables": {"pw": {"sensitive": True}}},
    })  # fmt: skip


def _number_variable() -> dict[str, Any]:
    data, _ = _with_copy(str(PIN))
    data["variables"] = {"pin": {"value": PIN}}
    data["configuration"] = {"root_module": {"variables": {"pin": {"sensitive": True}}}}
    return data


def _number_output() -> dict[str, Any]:
    data, _ = _with_copy(str(PIN))
    data["output_changes"] = {"pin": {"actions": ["create"], "before": None, "after": PIN,
                                      "after_unknown": False, "after_sensitive": True}}  # fmt: skip
    return data


def _map_key() -> dict[str, Any]:
    data, _ = _with_copy(KEY)
    data["variables"] = {"phrases": {"value": {KEY: "admin"}}}
    data["configuration"] = {"root_module": {"variables": {"phrases": {"sensitive": True}}}}
    return data


CASES: dict[str, tuple[Callable[[], dict[str, Any]], str]] = {
    "base64 of the workload's own marked value": (_own_base64, "U3VwM3JTM2NyZXRQYXNzdzByZCE"),
    "hex of a marked secret_data": (_version_hex, PW.encode().hex()),
    "the secret a base64 version holds": (_version_base64, PW),
    "the password of a marked URL": (_url_password, "Hunter2Passw0rdXyz"),
    "a sensitive root variable's default": (_root_default, PW),
    "a sensitive module variable's default": (_module_default, PW),
    "a literal a module call gives a sensitive variable": (_module_given, PW),
    "a sensitive number variable": (_number_variable, str(PIN)),
    "a sensitive number output": (_number_output, str(PIN)),
    "a sensitive map variable's key": (_map_key, KEY),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_a_marked_value_in_any_form_is_shown_in_no_format(
    tmp_path: Path, case: str, fmt: str
) -> None:
    make, secret = CASES[case]
    done, written = check_written(tmp_path, make(), STRICT, fmt)
    assert done.returncode == 1, done.stderr
    assert "COPY" in written  # env.unexpected, as before
    said = done.stdout + done.stderr + written
    assert secret not in said and secret.lower() not in said.lower()


def test_an_unmarked_default_and_a_short_number_are_shown(tmp_path: Path) -> None:
    """A default of a variable not declared sensitive is no secret of the plan's, nor is a
    marked number too short to be searched for (masked on the data where a workload holds
    it): shown as before."""
    data = _root_default()
    data["configuration"]["root_module"]["variables"]["pw"]["sensitive"] = False
    done = check_offline(tmp_path, data, STRICT, "-f", "json")
    assert PW in json.dumps(json.loads(done.stdout), ensure_ascii=False)
    data, _ = _with_copy("4242")
    data["variables"] = {"pin": {"value": 4242}}
    data["configuration"] = {"root_module": {"variables": {"pin": {"sensitive": True}}}}
    assert '"4242"' in check_offline(tmp_path, data, STRICT, "-f", "json").stdout


ODD = {"sensitive": 1}


def test_an_objects_attribute_names_are_no_secret(tmp_path: Path) -> None:
    """A sensitive object's attribute names (`password`) name its fields, as a provider's
    do: registered, every text saying `password` would be masked."""
    data, _ = _with_copy("password")
    data["variables"] = {"db": {"value": {"password": PW, KEY: "admin"}}}
    data["configuration"] = {"root_module": {"variables": {"db": {"sensitive": True}}}}
    done = check_offline(tmp_path, data, STRICT, "-f", "json")
    assert '"password"' in done.stdout and PW not in done.stdout


@pytest.mark.parametrize(
    ("configuration", "path"),
    [
        ({"root_module": {"module_calls": []}}, "configuration.root_module.module_calls"),
        ({"root_module": {"module_calls": {"m": {"module": {"variables": {"pw": ODD}}}}}},
         "configuration.root_module.module_calls.m.module.variables.pw.sensitive"),
    ],
)  # fmt: skip
def test_a_configuration_terraform_does_not_write_is_refused_at_its_path(
    tmp_path: Path, configuration: Any, path: str
) -> None:
    """Where a sensitive default may be, a shape Terraform does not write is refused (exit 2):
    read as nothing, its default would be printed."""
    data, _ = _with_copy("x")
    data["configuration"] = configuration
    done = check_offline(tmp_path, data, STRICT)
    assert done.returncode == 2 and path in done.stderr, done.stderr
