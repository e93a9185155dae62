"""The diff: a profile against what was read, as findings (every rule except `probe.*`)."""

from __future__ import annotations

from drift.diff.engine import diff
from drift.diff.ignores import apply_ignores

__all__ = ["apply_ignores", "diff"]
