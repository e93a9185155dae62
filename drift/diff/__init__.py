"""The diff: a profile against what was read, as findings (every rule except `probe.*`)."""

from __future__ import annotations

from drift.diff.engine import apply_ignores, diff

__all__ = ["apply_ignores", "diff"]
