"""Onboarding: write a first profile from the live services (`drift init --from-live`)."""

from __future__ import annotations
