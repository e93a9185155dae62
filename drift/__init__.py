"""drift: catch configuration drift on Google Cloud Run before it breaks a deploy."""

from __future__ import annotations

__version__ = "0.2.0.dev0"
"""Bumped with every change another drift must tell apart (a saved plan, the journal, the
client_version Cloud Run records): every build before this one said 0.1.0. pyproject reads it."""
