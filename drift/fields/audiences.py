"""The rows of the settings catalogue for who may call a service and with which token: whether
Identity-Aware Proxy guards it (Service.iap_enabled) and the custom audiences an ID token may
name (Service.custom_audiences), both the service's own fields (google/cloud/run/v2
service.proto), applied at once by an update, not by a revision. Field comments quoted are
the installed `google.cloud.run_v2` types' docstrings (the googleapis protos' comments)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from drift.credentials import masked_text
from drift.fields import access as a
from drift.fields import lists
from drift.fields.base import SERVICES, Field, SettingValue, Source


def _iap(source: Source) -> bool:
    # Service.iap_enabled: "Optional. IAP settings on the Service." (unset: no IAP)
    service = source.service
    return (
        bool(service.iap_enabled) if "iap_enabled" in service.DESCRIPTOR.fields_by_name else False
    )


def _audiences(source: Source) -> str:
    # Service.custom_audiences: "One or more custom audiences that you want this service to
    # support. Specify each custom audience as the full URL in a string." (custom-audiences
    # page: the run.app URL stays a valid audience besides them)
    service = source.service
    if "custom_audiences" not in service.DESCRIPTOR.fields_by_name:
        return ""
    return lists.joined(service.custom_audiences)


def _write_audiences(service: Any, container: Any, value: SettingValue) -> None:
    del service.custom_audiences[:]
    service.custom_audiences.extend(lists.items(value))  # each whole, a comma and all


def _shown(value: SettingValue, hidden: Collection[str] = ()) -> str:
    """The audiences as every output shows them: each URL by `credentials.masked_text` (one
    holding a user and password, `https://user:pw@host`, is `***host`; the YAML plan masks it
    so: `knative.service._service_fields`), in their order; none: `none`."""
    audiences = lists.items(value)
    return lists.in_order(masked_text(i, hidden) for i in audiences) if audiences else "none"


AUDIENCE_FIELDS: tuple[Field, ...] = (
    Field(
        "iap_enabled",
        "Identity-Aware Proxy guards the service (the service's setting); false when unset.",
        bool,
        level="service",
        terraform=(("iap_enabled",),),
        read=_iap,
        write=a.service_field("iap_enabled", bool),
        # `gcloud beta run services update --[no-]iap`; GA gcloud (528) has no --iap ("available
        # in one or more alternate release tracks"): the GA script leaves it to drift fix
        gcloud=a.switch("iap"),
        flagless=SERVICES,
        ga_since="560",  # AddIapFlag in GA CommonArgs from 560.0.0
    ),
    Field(
        "custom_audiences",
        "Custom audiences an ID token may name besides the service's URL (a list, or a,b with "
        "\\, for a comma inside one; order does not matter); none: no custom audience.",
        str | list[str],
        level="service",
        terraform=(("custom_audiences",),),
        read=_audiences,
        write=_write_audiences,
        # gcloud run services update: `--set-custom-audiences=A,B`, `--clear-custom-audiences`
        # (command_lib/run/flags.py AddCustomAudiencesFlag: repeated.AddPrimitiveArgs, a
        # comma list: `^D^` where an audience holds a comma, `lists.gcloud_list`)
        gcloud=lambda v: (
            lists.gcloud_list("--set-custom-audiences", v) if v else "--clear-custom-audiences"
        ),
        no_flag=lambda kind, v: lists.no_delimiter(v),
        parse=lambda v: lists.profile_list(v, "custom audiences"),
        normalise=lists.same_text,
        show=lambda v: _shown(v),
        hides=_shown,
        examples=("https://chat.acme.example",),
    ),
)
