"""Onboarding and parity: write a first profile from live services (`drift init`), and compare
two environments (`drift compare`)."""

from __future__ import annotations
