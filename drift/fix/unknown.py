"""What a fix built on the serving revision would drop of the fields the installed Cloud Run
client does not know (a newer Cloud Run's): a Revision numbers its fields differently from a
RevisionTemplate, so those cannot be carried field by field (`drift.fix.base.fix_base`,
`drift.fix.instances.moved_unknown`). Never a silent drop: the fix stops and says so."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drift.fix.wire import unknown_numbers
from drift.live.normalize import raw


def unknown_lost(name: str, revision: Any, template: Any | None, *, pool: bool = False) -> str:
    """What a template built field by field from the serving revision `name` would drop:
    the fields of that Revision the installed client does not know — a Revision numbers its
    fields differently from a RevisionTemplate (containers 17 and 10, scaling 12 and 4:
    googleapis google/cloud/run/v2/revision.proto, revision_template.proto), so an unknown
    one has no known place on the template — and the template's own, which may not be what
    serves (a template-only setting such as `health_check_disabled`, or a change not
    released). "" when there are none. Unknown fields inside a message both share (a
    Container, RevisionScaling, VpcAccess…) are copied with it, exactly. `pool`: a worker
    pool's instances pinned on `name`, which a fix moves onto its patched template.
    `template` None: the template is the spec of a revision that failed, which a fix replaces
    (so building on it with `--from-template` is never the way on)."""
    on_revision = unknown_numbers(raw(revision))
    on_template = unknown_numbers(raw(template)) if template is not None else ()
    if not on_revision and not on_template:
        return ""
    loss = (
        f"moving the instances on {name} onto the patched template"
        if pool
        else f"the canary a fix builds on {name}, field by field,"
    )
    held = []
    if on_revision:
        held.append(f"the revision {name} holds {_fields(on_revision)}")
    if on_template:
        held.append(f"the template holds {_fields(on_template)}")
    return (
        f"{' and '.join(held)}, which this drift's Cloud Run client ({_client()}) does not "
        f"know: {loss} would drop it silently (a "
        "Revision numbers its fields differently from a template, and the template's own may "
        "not be what serves). Upgrade drift (its google-cloud-run) and run drift fix again"
        + (
            ""
            if template is None
            else ", or run `drift fix --from-template` to build on the template, which keeps "
            "the fields it holds (its differences from what serves, if any, roll out too)"
        )
    )


def unknown_on(template: Any) -> tuple[str, ...]:
    """The template's fields the installed client does not know, as a difference from what
    serves: they cannot be compared with the revision's (numbered otherwise), and a deploy
    that failed may have changed only them (a newer gcloud's setting) — it is a failed
    template all the same, replaced and named (revown39 F2)."""
    numbers = unknown_numbers(raw(template))
    return (f"{_fields(numbers)} this drift's client does not know",) if numbers else ()


def _fields(numbers: Sequence[int]) -> str:
    named = ", ".join(str(n) for n in numbers)
    return f"field {named}" if len(numbers) == 1 else f"fields {named}"


def _client() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"google-cloud-run {version('google-cloud-run')}"
    except PackageNotFoundError:  # pragma: no cover — installed with drift
        return "google-cloud-run"
