"""`drift compare`: parity of two environments, as merged profiles or as live services."""

from __future__ import annotations
