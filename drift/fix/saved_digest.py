"""A saved plan's digest (`saved.digest`, `drift.fix.saved`): a SHA-256 of the plan's body
(every service as the plan states it: changes, from_template, unreleased, template
differences…) and the options it was made with. A change's `before` is not in it: the live
state a plan was made on is its service's etag and revision, which are; a `before` is that
state as shown, masked or not as the revision history was read or not (revown56 F3: `plan
--no-history --out` then `fix --plan` was refused with exit 4, the change itself the same).
The plan's `notes` are in the file, not in the digest: a note is no change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

OPTIONS = ("services", "from_template", "profile_digest", "no_promote")
"""What of the `saved` block decides what a fix writes (the digest covers them; each that a
file lacks is left out: `no_promote` is absent from a plan an older drift saved)."""


NOT_DIGESTED = ("saved", "notes")
"""What of a saved plan its digest leaves out: the `saved` block (but `OPTIONS`), and the
plan's notes (a history not read this time: no change)."""


def body_digest(data: dict[str, Any], saved: dict[str, Any]) -> str:
    """SHA-256 of a plan's body (all but `NOT_DIGESTED`, each change without its `before`)
    and the options it was made with."""
    return _digest(data, saved, stated)


def legacy_digest(data: dict[str, Any], saved: dict[str, Any]) -> str:
    """The digest a drift before revown56 saved: each change with its `before`."""
    return _digest(data, saved, lambda service: service)


def _digest(data: dict[str, Any], saved: dict[str, Any], service: Callable[[Any], Any]) -> str:
    body = {k: v for k, v in data.items() if k not in NOT_DIGESTED}
    if isinstance(body.get("services"), list):
        body["services"] = [service(s) for s in body["services"]]
    body["saved"] = {k: saved[k] for k in OPTIONS if k in saved or k != "no_promote"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def stated(service: Any) -> Any:
    """A service of a plan as what a fix changes: each change without its `before` (the live
    state, which the service's etag and revision identify; shown masked or not as the
    revision history was read)."""
    if not isinstance(service, dict):
        return service
    return {
        k: [stated_change(c) for c in v] if k in ("env", "settings") and isinstance(v, list) else v
        for k, v in service.items()
    }


def stated_change(change: Any) -> Any:
    return (
        {k: v for k, v in change.items() if k != "before"} if isinstance(change, dict) else change
    )
