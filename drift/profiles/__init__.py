"""Where expectations come from: YAML profiles, one per environment."""

from __future__ import annotations

from drift.profiles.loader import load_profile, validate_directory
from drift.profiles.model import Ignore, Probe, Profile, ServiceProfile, Setting, VarRule

__all__ = [
    "Ignore",
    "Probe",
    "Profile",
    "ServiceProfile",
    "Setting",
    "VarRule",
    "load_profile",
    "validate_directory",
]
