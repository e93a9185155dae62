"""drift: catch configuration drift on Google Cloud Run before it breaks a deploy."""

from __future__ import annotations

__version__ = "0.1.0"
