"""A secret rotated under a running revision: a variable that reads it by `latest` (or an
alias) holds, in each instance, the version that was latest when the instance started — env
secrets are resolved when an instance starts, so `latest` can differ between instances
(Cloud Run, "Configure secrets": "we recommend pinning to a specific version"). A revision
deployed before the version it names now was added may run the older one in some instances
and the newer in others: the story's 1011 after a JWT secret's rotation, which no
configuration shows. Said as a note (the configuration is what it says), never a finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from drift.kinds import Kind, key_label
from drift.live.model import LiveService, ServingRevision
from drift.live.normalize import raw
from drift.live.secret_state import VersionState
from drift.live.state import LiveState, RevisionRecord
from drift.profiles.model import Profile
from drift.secret_target import secret_key
from drift.textsafe import visible


def rotated_notes(profile: Profile, names: Sequence[str], state: LiveState) -> list[str]:
    """Each revision a user reaches whose variable reads a secret by `latest` or an alias
    that names a version added after the revision was deployed (its `create_time`, or, for
    one the template describes, no later than the workload's last write, `update_time`)."""
    out: dict[tuple[str, str, str], str] = {}
    for name in names:
        live = state.services.get(name)
        if live is None or live.kind is Kind.JOB or live.manifest:
            continue  # a job's execution resolves it when it starts; a manifest is not run
        for revision in live.checked:
            deployed = _deployed(revision, live, state.history.get(live.key, ()))
            refs = [v.ref for c in revision.config.containers for v in c.env.values() if v.ref]
            for ref in refs:  # in env: a mounted file is read when it is read
                if ref.version.isdigit():  # pinned
                    continue
                info = state.versions.get(ref)
                if info is None or info.created is None or deployed is None:
                    continue
                if info.state is not VersionState.ENABLED:  # its own finding says what to do
                    continue
                if info.created <= deployed:
                    continue
                key = secret_key(ref, state, profile.project)
                out.setdefault(
                    (live.name, revision.name, key),
                    f"{key_label(live.key)}: {revision.name} reads secret {key} by "
                    f"{ref.version}, which names version {info.resolved or '(not read)'} since "
                    f"{info.created:%Y-%m-%d %H:%M} UTC, after the revision was deployed: "
                    "its instances resolve it when they start, so those started before may "
                    "still hold the version before (deploy a new revision for all of them to "
                    "hold this one, or pin the version)",
                )
    return [visible(note) for note in out.values()]


def _deployed(
    revision: ServingRevision, live: LiveService, history: Sequence[RevisionRecord]
) -> dt.datetime | None:
    """When the revision was made (read with it, or listed in the workload's history, which is
    read where there is drift), else the latest it can have been: the workload's last write,
    for one the template describes, which moves with a write that makes no revision (traffic,
    tags, labels) and can then hide the note (helper-614 L2); None when none was read."""
    if revision.source is not None and (
        made := _time(getattr(raw(revision.source), "create_time", None))
    ):
        return made
    for listed in history:
        if listed.name == revision.name and listed.create_time is not None:
            return listed.create_time
    return (
        _time(getattr(raw(live.source), "update_time", None)) if live.source is not None else None
    )


def _time(stamp: Any) -> dt.datetime | None:
    if stamp is None or not (stamp.seconds or stamp.nanos):
        return None
    when: dt.datetime = stamp.ToDatetime(tzinfo=dt.UTC)
    return when
