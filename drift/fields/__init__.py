"""The Cloud Run settings catalogue: one row per profile `settings` key, holding everything
any layer knows about it — its JSON Schema type, how a profile value is parsed, how it is read
from the API's protos (defaults included) and normalised for comparison, how a patch writes
it, its `gcloud` flag and how a person reads it. Adding a setting is adding a row.

Reading works on raw protobuf messages (fast, no Google import needed); writing works on the
proto-plus messages the clients return (imported lazily)."""

from __future__ import annotations

from drift.fields.accounts import (
    DEFAULT_ACCOUNT_SUFFIX,
    DEFAULT_SERVICE_ACCOUNT,
    account_project,
    default_account,
    is_default_account,
    named_default,
    normalise_account,
    same_account,
    unnamed_default,
)
from drift.fields.base import (
    Field,
    PlannedSetting,
    SettingValue,
    Source,
    Unread,
    enum_name,
    short_name,
    text,
    unchanged,
)
from drift.fields.catalogue import (
    CONTAINER_SETTINGS,
    FIELDS,
    NOT_READ,
    container_settings,
    digested,
    held_settings,
    read_conflicts,
    read_settings,
    read_shown,
    stated_conflicts,
    unreadable_settings,
)

__all__ = [
    "account_project",
    "CONTAINER_SETTINGS",
    "DEFAULT_ACCOUNT_SUFFIX",
    "DEFAULT_SERVICE_ACCOUNT",
    "FIELDS",
    "NOT_READ",
    "Field",
    "PlannedSetting",
    "SettingValue",
    "Source",
    "Unread",
    "container_settings",
    "held_settings",
    "digested",
    "enum_name",
    "default_account",
    "is_default_account",
    "named_default",
    "unnamed_default",
    "normalise_account",
    "read_conflicts",
    "read_settings",
    "read_shown",
    "same_account",
    "stated_conflicts",
    "short_name",
    "text",
    "unreadable_settings",
    "unchanged",
]
