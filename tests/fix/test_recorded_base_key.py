"""`base_key` is worked out once for what an entry holds of the configuration that served
(`Entry.keys`), by that content: an entry whose recorded template or service changes since (a
rollback's `fill` puts a withheld value back; an older entry holds JSON alone) gets the key of
what it holds now, never the one worked out before."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2

from drift.fix.journal import Entry
from drift.fix.patch import without_system_metadata
from drift.fix.recorded import base_key
from drift.fix.routing import revision_key
from drift.fix.wire import as_json, packed

_NAME = "projects/p/locations/r/services/app"


def _service(image: str, value: str) -> Any:
    container = run_v2.Container(image=image, env=[run_v2.EnvVar(name="A", value=value)])
    return run_v2.Service(name=_NAME, template=run_v2.RevisionTemplate(containers=[container]))


def _entry(service: Any, *, with_bytes: bool) -> Entry:
    entry = Entry("c1", "prod", "p", "r", "app", _NAME, "e", as_json(service), "", "", [])
    entry.base_template = as_json(service.template)
    if with_bytes:
        entry.service_before_pb = packed(service)
        entry.base_template_pb = packed(service.template)
    return entry


def _fresh(service: Any) -> str:
    template = run_v2.RevisionTemplate(service.template)
    return revision_key(service, without_system_metadata(template))


@pytest.mark.parametrize("with_bytes", [True, False])
def test_the_key_follows_what_the_entry_holds_now(with_bytes: bool) -> None:
    before, after = _service("img:1", "x"), _service("img:2", "y")
    entry = _entry(before, with_bytes=with_bytes)
    first = base_key(entry)
    assert first == _fresh(before) == base_key(entry)
    changed = _entry(after, with_bytes=with_bytes)  # its content put into the same entry
    entry.base_template, entry.base_template_pb = changed.base_template, changed.base_template_pb
    entry.service_before = changed.service_before
    entry.service_before_pb = changed.service_before_pb
    assert base_key(entry) == _fresh(after) != first


def test_a_value_put_back_into_the_bytes_alone_changes_the_key() -> None:
    entry = _entry(_service("img:1", ""), with_bytes=True)
    first = base_key(entry)
    entry.base_template_pb = packed(_service("img:1", "filled").template)  # `fill` does this
    assert base_key(entry) == _fresh(_service("img:1", "filled")) != first
