"""What a setting's value may not be beyond its type: an empty path, a journal directory a file
stands in the way of, a project or region that is not one (`drift.settings` reads them)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drift.errors import UsageError

DEFAULT_PLACE = {
    "profiles_dir": "./profiles",
    "journal_dir": ".drift/journal beside the project's configuration",
}


def names_a_directory(value: object, source: str, key: str) -> None:
    """Refuse an empty path setting: `DRIFT_JOURNAL_DIR: ${{ vars.X }}` with X undefined is
    "", which `Path` reads as the working directory — the journal (whole service
    configurations) and its `.gitignore` of `*` would land in a repository's root. SPEC
    invariant 5: the journal lives in `.drift/journal/` beside the project's configuration
    unless a directory is named; an empty value names none, and taking it for the default
    would split the record of changes between that and the directory meant (a `drift
    rollback` where the variable is set would not find the change): a usage error, before
    anything is read or written."""
    if isinstance(value, str) and not value.strip():
        raise UsageError(
            f"invalid configuration: {source} is empty: it names no directory",
            hint=f"unset it for the default ({DEFAULT_PLACE[key]}), or name a directory",
        )


def no_file_in_the_way(value: object, source: str) -> None:
    """Refuse a journal directory that a file stands in the way of, from whichever source named
    it, as `--journal` is refused (`drift.cli.options.journal_directory`): fix and rollback
    would stop at it later, check and history would pass it over in silence (the journal tells
    them which canaries drift made)."""
    from drift.files import file_in_the_way, kind_of

    if not isinstance(value, str | Path) or not str(value).strip():
        return
    path = Path(value)
    try:
        blocker = file_in_the_way(path)
    except OSError as exc:
        raise UsageError(
            f"invalid configuration: {source}: {path} cannot be read: {exc.strerror or exc}"
        ) from exc
    if blocker is not None:
        raise UsageError(
            f"invalid configuration: {source}: {blocker} is {kind_of(blocker)}, not a directory",
            hint="name a directory for the journal, or unset it for the default "
            f"({DEFAULT_PLACE['journal_dir']})",
        )


def a_place(merged: Mapping[str, Any], sources: Mapping[str, str], defaults: Any) -> None:
    """The project and region given in place of the profile's, where they came from: a
    value that is not one (`--region "us-central1 "`) would reach every resource name, and
    every service read as missing (`drift.gcp_ids`). Empty names none (`OPTIONAL`)."""
    from drift.gcp_ids import project_problem, region_problem

    for key, (what, instead) in OPTIONAL.items():
        if merged.get(key) == "":
            raise UsageError(
                f"invalid configuration: {sources.get(key, key)} is empty: it names no {what}",
                hint=f"unset it for {instead}, or name one",
            )
    none_empty(merged, sources, defaults)
    for key, problem in (("project", project_problem), ("region", region_problem)):
        value = merged.get(key)
        if isinstance(value, str) and value and (why := problem(value)):
            raise UsageError(f"invalid configuration: {sources.get(key, key)}: {why}")
    an_account(merged.get("impersonate_service_account"), sources)


def an_account(value: object, sources: Mapping[str, str]) -> None:
    """The service account to impersonate, where it came from: one with white space in it
    (`DRIFT_IMPERSONATE_SERVICE_ACCOUNT=" "`, a line break pasted with it) names none, and
    failed only at the first API call, as a refusal of that call (revinit86). An account is
    named by its email or its unique id (IAM Credentials API,
    `projects/-/serviceAccounts/{ACCOUNT_EMAIL_OR_UNIQUEID}`), neither of which has any."""
    if isinstance(value, str) and value and any(c.isspace() for c in value):
        source = sources.get("impersonate_service_account", "impersonate_service_account")
        raise UsageError(
            f"invalid configuration: {source}: {value.strip()[:100]!r} has white space in it: "
            "name the service account by its email (reader@PROJECT.iam.gserviceaccount.com) "
            "or its unique id"
        )


OPTIONAL = {
    "project": ("project", "the profile's"),
    "region": ("region", "the profile's"),
    "impersonate_service_account": ("service account", "drift's own credentials (ADC)"),
}
"""Settings that may be left unset (the profile's project and region; no impersonation), what
each names, and what unset gives. Set to the empty text (`DRIFT_PROJECT: ${{ vars.X }}` with X
undefined, `--project "$PROJECT"` with PROJECT unset) they are refused where the value that
wins came from: taken as not given, the next source's stood in silence — the profile's
project checked where the step meant another (helper-810); before revinit86 F1, the empty
value itself replaced `[tool.drift]`'s impersonation, and drift called the APIs as the
runner's own credentials."""


def none_empty(merged: Mapping[str, Any], sources: Mapping[str, str], defaults: Any) -> None:
    """Any other setting left empty (`DRIFT_WAIT: ${{ vars.X }}` with X undefined, `--wait
    "$WAIT"` with WAIT unset, `fail_on = ""`) is refused where it came from, as the project
    is, saying what leaving it out gives: it was refused as "not a duration: ''", which named
    neither an unset variable nor the default (note68 §9, task 833). A path is
    `names_a_directory`'s, the project, region and account `OPTIONAL`'s; `defaults`: the
    `Settings` of no value given."""
    from dataclasses import fields

    from drift.setting_words import DURATION, DURATIONS, WHOLE

    for field in fields(defaults):
        value, key = merged.get(field.name), field.name
        if not isinstance(value, str) or value.strip() or key in OPTIONAL or key in DEFAULT_PLACE:
            continue
        default = getattr(defaults, key)
        if key in DURATIONS:
            default, expected = f"{default:g}", DURATION
        elif isinstance(default, bool):
            default, expected = str(default).lower(), "true or false"
        elif isinstance(default, int):
            expected = WHOLE
        else:  # fail_on
            expected = "error, warning or never"
        source, unset = sources.get(key, key), " (an unset variable?)"
        if source.startswith("--"):
            leave = f"leave the option out for DRIFT_{key.upper()}'s, [tool.drift]'s or"
        elif source.upper().startswith("DRIFT_"):
            leave = "unset it for [tool.drift]'s or"
        else:
            leave, unset = "remove the key for", ""
        raise UsageError(
            f"invalid configuration: {source} is empty{unset}: it sets no value",
            hint=f"{leave} the default ({default}), or give {expected}",
        )
