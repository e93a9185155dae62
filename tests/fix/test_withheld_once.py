"""helper-731: `withheld.withhold` reads each key and each text of an entry once, whichever of its
two messages holds it (the same template in `service_before` and `base_template`): a secret's
payload in a key however deep is refused, and each place a copy stands is still recorded."""

from __future__ import annotations

from typing import Any

import pytest

from drift import redact
from drift.errors import SecretUnrecordable
from drift.fix.withheld import withhold

VERSION = "projects/p/secrets/s/versions/1"
PAYLOAD = "zq8vx2mlk9pwr4ty"


def _container(env_value: str, limits: dict[str, str]) -> dict[str, Any]:
    return {"env": [{"name": "COPY", "value": env_value}], "resources": {"limits": limits}}


def test_a_payload_in_a_key_inside_a_list_is_refused() -> None:
    redact.register_payload(PAYLOAD.encode(), VERSION)
    template = {"containers": [_container("x", {"cpu": "1"}), _container("y", {PAYLOAD: "1"})]}
    with pytest.raises(SecretUnrecordable):
        withhold({"service_before": {"template": template}, "base_template": {}})


def test_each_copy_is_recorded_in_both_messages() -> None:
    redact.register_payload(PAYLOAD.encode(), VERSION)
    data: dict[str, Any] = {
        "service_before": {"template": {"containers": [_container(PAYLOAD, {"cpu": "1"})]}},
        "base_template": {"containers": [_container(PAYLOAD, {"cpu": "1"})]},
    }
    withhold(data)
    assert [(r["field"], r["path"]) for r in data["withheld"]] == [
        ("service_before", ["template", "containers", 0, "env", 0]),
        ("base_template", ["containers", 0, "env", 0]),
    ]
    assert all(r["pieces"] == [{"version": VERSION, "form": "whole"}] for r in data["withheld"])
    assert PAYLOAD not in str(data["service_before"]) + str(data["base_template"])
