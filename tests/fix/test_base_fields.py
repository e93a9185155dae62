"""`template_from_revision` (drift/diff/served.py) builds a fix's template field by field from
the serving revision, by hand-kept lists. A field a newer google-cloud-run adds to
RevisionTemplate or WorkerPoolRevisionTemplate that no list names would be dropped by every
fix built from the serving revision — a change the plan never named (SPEC: fix changes only
what its plan names). These tests fail on the client bump that adds one, naming it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from google.cloud import run_v2

from drift.diff.served import FROM_REVISION, FROM_TEMPLATE, LEFT_OUT, MERGED, template_from_revision
from drift.live.normalize import raw
from drift.protofield import is_repeated

TEMPLATES = (run_v2.RevisionTemplate, run_v2.WorkerPoolRevisionTemplate)


def unlisted(template: Any, *lists: Iterable[str]) -> list[str]:
    """The fields of the (proto-plus) template type no list names."""
    named = {name for names in lists for name in names}
    return sorted(f.name for f in template.pb().DESCRIPTOR.fields if f.name not in named)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.__name__)
def test_every_template_field_is_copied_or_left_out_on_purpose(template: Any) -> None:
    missing = unlisted(template, FROM_REVISION, FROM_TEMPLATE, MERGED, LEFT_OUT)
    assert not missing, (
        f"{template.__name__} has field(s) {missing} that drift/fix/base.py neither copies "
        "(FROM_REVISION: from the serving revision; FROM_TEMPLATE; MERGED) nor names in "
        "LEFT_OUT: a fix built from the serving revision would drop them. Add each to one list."
    )


def test_what_comes_from_the_revision_is_a_revision_field() -> None:
    """A name in FROM_REVISION the Revision lacks would fail every fix (`getattr`)."""
    revision = {f.name for f in run_v2.Revision.pb().DESCRIPTOR.fields}
    assert not set(FROM_REVISION) - revision, set(FROM_REVISION) - revision
    assert not set(MERGED) - revision


def test_the_lists_do_not_overlap() -> None:
    lists = (FROM_REVISION, FROM_TEMPLATE, MERGED, LEFT_OUT)
    names = [name for names in lists for name in names]
    assert len(names) == len(set(names)), names


def test_a_field_no_list_names_is_caught() -> None:
    """The check itself: a list short of one field (as after a client bump) fails it."""
    short = tuple(n for n in FROM_REVISION if n != "node_selector")
    assert unlisted(run_v2.RevisionTemplate, short, FROM_TEMPLATE, MERGED, LEFT_OUT) == [
        "node_selector"
    ]


def with_presence(template: Any) -> list[Any]:
    """The fields of the template type a fix copies that have presence (messages, `optional`
    scalars): set and unset differ on the wire and in every describe."""
    copied = {*FROM_REVISION, *FROM_TEMPLATE}
    return [
        f
        for f in template.pb().DESCRIPTOR.fields
        if f.name in copied and f.has_presence and not is_repeated(f)
    ]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.__name__)
@pytest.mark.parametrize("is_set", [False, True], ids=["unset", "set-to-default"])
def test_every_field_with_presence_keeps_it(template: Any, is_set: bool) -> None:
    """An unset `optional` (gpu_zonal_redundancy_disabled: revfix60 F4) or message stays unset
    in the fix's template, and one set to its default stays set: every such field, so a field
    a newer client adds is covered as it comes."""
    fields = with_presence(template)
    assert any(f.message_type is None for f in fields), "no `optional` scalar left to check"
    revision, source = run_v2.Revision.pb()(), template.pb()()
    if is_set:
        for message in (revision, source):
            for f in fields:
                if f.message_type is not None:
                    getattr(message, f.name).SetInParent()
                else:
                    setattr(message, f.name, f.default_value)
    out = raw(template_from_revision(revision, source))
    assert [f.name for f in fields if out.HasField(f.name) != is_set] == []
