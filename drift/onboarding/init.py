"""`drift init ENV --from-live`: write a starting profile from what the live services serve with
(plain values copied, secrets as references, credential-looking plain values withheld)."""

from __future__ import annotations

import asyncio
import datetime as dt
import shlex
from collections.abc import Awaitable, Sequence
from pathlib import Path

from drift.errors import ApiError, IncompleteRead, UsageError
from drift.findings import Location, Unverified
from drift.kinds import Kind, key_label, split_key, workload_key
from drift.live.api import Listing
from drift.live.calls import CallRunner
from drift.live.model import LiveService
from drift.live.normalize import same_configuration
from drift.live.state import LiveState
from drift.live.value_reads import as_stated, referenced_values
from drift.next_steps import (
    failed_read_steps,
    region_may_be_wrong,
)
from drift.onboarding.account import own_number
from drift.onboarding.draft import Draft, build_draft, drafted_from, images_differ, render, rollout
from drift.onboarding.listing import list_beside, others_referenced, workload_keys
from drift.onboarding.named import as_other_kinds, of_other_kinds
from drift.onboarding.next_check import check_place_options, check_profiles_option
from drift.onboarding.result import InitResult
from drift.onboarding.setting_lines import said_unread
from drift.onboarding.withheld import (
    CREDENTIAL,
    NOT_READ,
    RENAMED,
    SHARED,
    named_secret,
    project_names,
    unnamed_notes,
    unread_values,
)
from drift.onboarding.write import (
    SCHEMA_FILE,
    described,
    refuse_overwrite,
    write_profile,
    write_schema,
)
from drift.profiles.model import Profile, ServiceProfile, utc_today
from drift.refs import SecretRef
from drift.settings import Settings
from drift.textsafe import visible
from drift.yamlfile import display_path

_LIVE = Location("<live>", 1)


async def init_from_live(
    environment: str,
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    force: bool = False,
    runner: CallRunner | None = None,
    today: dt.date | None = None,
    project_from: str = "",
    region_from: str = "",
    profiles_from: str = "",
    secret_values: bool = True,
) -> InitResult:
    """Read the live services and write `profiles/ENV.yaml`; refuse to overwrite unless
    `force`. Nothing is written when a service cannot be read. `project_from`,
    `region_from`, `profiles_from`: where they were set (`--project`, `DRIFT_PROJECT`, …),
    for the hints of a mistyped project, an empty region, a profiles path with a typo;
    `secret_values`: read the referenced values to keep a plain copy out (`--no-secret-values`:
    none read, and said)."""
    from drift.live.reader import every_history
    from drift.live.session import Session
    from drift.profiles.paths import profile_path

    directory = settings.profiles_dir
    path = profile_path(directory, environment)
    refuse_overwrite(path, force, profiles_from)
    project, region = settings.project, settings.region
    where = f" --project {project} --region {region}"
    if not project or not region:  # only what is missing is named: the other was given
        unset = [key for key, value in (("project", project), ("region", region)) if not value]
        raise UsageError(
            f"init needs the {' and '.join(unset)} to read: nothing was written; pass "
            + " and ".join(f"--{key} (or set DRIFT_{key.upper()})" for key in unset)
        )
    # a name given is a service's, `job/NAME` or `worker_pool/NAME` another kind's
    names = list(dict.fromkeys(workload_key(*split_key(n)) for n in services or ()))
    from drift.live.secrets import Tasks

    listed_once = Tasks()  # the lists made here are the read's: each kind listed once
    async with Session(settings.access(), runner) as session:
        values = session.values(project) if secret_values else None
        beside: list[Awaitable[Listing]] = []
        try:
            if not names:
                names = await workload_keys(
                    session, project, region, (project_from, region_from), listed_once
                )
            elif values is not None:  # the others' secrets too, whose copies are withheld
                beside = list_beside(session, project, region, listed_once)
            probe = Profile(
                environment,
                project,
                region,
                _LIVE,
                services={n: _described(n) for n in names},
            )
            # every workload's revisions too: a password renamed is known by an older one;
            # each referenced value read as its version resolves (`values`, helper-633 F4)
            state = await session.read(
                probe,
                names,
                wait=settings.wait,
                shared=listed_once,
                history=every_history,
                values=values,
            )
            found = [n for n in names if n in state.missing]
            kinds = (
                await of_other_kinds(session, found, project, region, listed_once) if found else {}
            )
            accounts = [drafted_from(w)[1].service_account for w in state.services.values()]
            others, unlisted, unlisted_now = await others_referenced(beside, names, project, region)
            # every value the drafts reference (and, with --service, the others' templates),
            # so that no plain copy of one is written into a file meant for git (helper-591
            # F3, helper-646 O2); a refusal leaves it unknown, and said
            refs = [*referenced_values(state), *(as_stated(state, r) for r in others)]
            # a workload named that does not exist writes nothing: no value is read for it
            # (each read a data access in the audit log; helper-657 LOW-5)
            refs = [] if found else refs
            number, unread = await asyncio.gather(
                own_number(session, project, state, accounts),
                values.learn(refs, state.projects) if values else _unread(),
            )
        except BaseException:
            # a call started early whose answer is no longer wanted (the secret list beside a
            # List that failed, a value beside a read that failed): cancelled, never left
            # running, its failure collected (said by no traceback at exit)
            listed_once.discard()
            if values is not None:
                values.discard()
            raise
    settling = _require_all_read(state, names, project, region, (project_from, region_from), kinds)
    names = [n for n in names if n not in settling]
    # nothing hoisted into defaults while a workload is left out: its entry, added as the
    # note says, would take them too (revfirst62 F1)
    draft = build_draft(
        environment,
        project,
        region,
        names,
        state.services,
        hoist=not settling,
        number=number,
        history=state.history,
        projects=state.projects,
    )
    today = today or utc_today()
    text = render(
        draft,
        schema=f"./{SCHEMA_FILE}",
        today=today,
        left_out=tuple(key_label(key) for key in settling),
    )
    replaced = path.exists()  # refused above unless forced
    before = described(path)  # what the profile there describes, which --force replaces
    written, created = write_profile(directory, environment, text, force=force)
    notes = _notes(draft, written, names, state, today)
    option = check_profiles_option(directory)
    asked = "".join(f" --service {shlex.quote(key)}" for key in names if services)
    again = f"drift init {environment} --from-live --force{where}{option}{asked}"
    refused, unsure = unread_values(unread, project_names(state.projects, project, number), again)
    notes += (
        *unlisted,
        *refused,
        *unnamed_notes((key_label(s.key), s.unnamed) for s in draft.services),
    )
    schema = write_schema(directory, force=force)
    notes += tuple(n for n in ("" if secret_values else NOT_READ, schema) if n)
    return InitResult(
        path=path,
        environment=environment,
        project=project,
        region=region,
        services=tuple(names),
        variables=len(draft.variables),
        secrets=sum(v.secret for _, v in draft.variables),
        withheld=tuple(f"{s}.{v.name}" for s, v in draft.variables if v.withheld == CREDENTIAL),
        renamed=tuple(f"{s}.{v.name}" for s, v in draft.variables if v.withheld == RENAMED),
        shared=tuple(f"{s}.{v.name}" for s, v in draft.variables if v.withheld == SHARED),
        copies=tuple(
            f"{s}.{v.name} ({v.withheld})"
            for s, v in draft.variables
            if v.withheld not in ("", CREDENTIAL, RENAMED, SHARED)
        ),
        notes=notes,
        profiles_option=option,
        place_options=check_place_options(project, region),
        left_out=tuple(
            _left_out(key, state, environment, path, f"{where}{option}", settings.wait)
            for key in settling
        ),
        rollouts=tuple(filter(None, (rollout(state.services[n], state, project) for n in names))),
        unsure=(*unlisted_now, *unsure),
        created=created,
        replaced=replaced,
        dropped=tuple(key_label(key) for key in before if key not in names),
    )


async def _unread() -> dict[SecretRef, ApiError]:
    return {}


def _described(key: str) -> ServiceProfile:
    """A workload to read, with no expectation."""
    kind, name = split_key(key)
    return ServiceProfile(name, _LIVE, kind=kind)


def _require_all_read(
    state: LiveState,
    names: list[str],
    project: str,
    region: str,
    set_by: tuple[str, str],
    kinds: dict[str, str],
) -> list[str]:
    """The workloads left out: those still deploying when the wait ran out, when every other
    one was read (one deploy that does not settle does not stop the rest being written;
    `set_by`: where the project and region were set; `kinds`: a missing one's key as
    another kind, `of_other_kinds`)."""
    missing = [key_label(n) for n in names if n in state.missing]
    if missing:
        what = ", ".join(missing)
        raise UsageError(
            f"no {what if ' ' in what else 'service ' + what} in {project}/{region}: nothing "
            "was written",
            hint=as_other_kinds(kinds)
            or region_may_be_wrong(project, set_by[1], {split_key(n)[0] for n in state.missing}),
        )
    # a workload read in part (a serving or tagged revision unread) would be described by
    # what was read, as if that were all it runs: "nothing written" (exit 3), as for one not
    # read at all. What the revisions reference is in them, read in full: a secret's metadata
    # or IAM policy left unread only leaves `check` something to report unverified (noted).
    gaps = {u.key for u in state.unverified if _unread_workload(u)}
    unread = [n for n in names if n not in state.services or n in gaps]
    settling = [n for n in unread if n in state.settling]
    if unread and not len(settling) == len(unread) < len(names):
        reasons = sorted(
            {u.reason for u in state.unverified if u.key in unread and _unread_workload(u)}
        )
        raise IncompleteRead(
            f"could not read {', '.join(map(key_label, unread))}: nothing was written"
            + "".join(f"\n  {r}" for r in reasons)
            + "".join(f"\n  hint: {s}" for s in failed_read_steps(project, reasons, set_by[0]))
        )
    return settling


def _left_out(
    key: str, state: LiveState, environment: str, path: Path, options: str, wait: float
) -> str:
    """A workload left out, why, and how to describe it once settled: in a profile of its
    own, whose entry moves into the one written (init changes no profile it did not write)."""
    import shlex

    kind, name = split_key(key)
    alone = f"{environment}-{name}"
    command = f"drift init {alone} --from-live{options} --service {shlex.quote(key)}"
    own = display_path(path.with_name(alone + ".yaml"))
    return (
        f"{key_label(key)} left out: {state.settling[key]}, still after {wait:g}s (--wait). "
        f"Once it has settled, `{command}` describes it in {own}; move its entry under "
        f"`{kind.section}:` in {display_path(path)}, then remove {own} (an environment "
        "of its own until then)"
    )


def _unread_workload(item: Unverified) -> bool:
    """The workload itself or one of the revisions it serves or tags (what the profile would
    describe), not a secret's metadata or policy, nor a job's last execution."""
    return item.target == item.kind.value or item.target.startswith("revision.")


def _serving_alike(live: LiveService, state: LiveState, project: str) -> bool:
    """Whether every revision with traffic (or instances) of `live` has the configuration its
    profile describes, as `drift check` compares it (images aside: `rollout`)."""
    described, config = drafted_from(live)
    return all(
        r.name == described or same_configuration(config, r.config, state, project)
        for r in live.serving
    )


# -- what the profile states --------------------------------------------------------------
def _notes(
    draft: Draft, profile: Profile, names: list[str], state: LiveState, today: dt.date
) -> tuple[str, ...]:
    """What `drift check` will already report against the written profile (broken secrets,
    unfinished rollouts, credentials in plain text): the live state, not the profile."""
    from drift.diff import diff

    notes = []
    for live in state.services.values():
        # else said as incomplete; a tag on another configuration beside them is said as
        # incomplete too, and these still said (helper-700 F4)
        if len(live.serving) > 1 and _serving_alike(live, state, profile.project):
            described = drafted_from(live)[0]
            what = "run the pool's instances" if live.kind is Kind.WORKER_POOL else "serve traffic"
            notes.append(
                f"{live.name}: {len(live.serving)} revisions {what}, alike{images_differ(live)}; "
                f"the profile describes {described}"
            )
    notes += [
        f"{key_label(key)}: {setting} not written: drift cannot read it ({why})"
        for key, live in state.services.items()
        for setting, why in said_unread(drafted_from(live)[1].unreadable).items()
    ]
    notes += [  # what init could not judge: said, never silently written (helper-594 F2)
        f"{key_label(key)}: its older revisions could not be listed ({why}): a password "
        "renamed since one of them is not known, and its plain values are copied as they "
        "are: review them before committing the profile"
        for key, why in sorted(state.history_unread.items())
        if key in names
    ]
    withheld = {(s, f"env.{v.name}") for s, v in draft.variables if v.withheld}
    findings = [
        f
        for f in diff(profile, names, state, today)
        if f.counted
        and (f.key, f.target) not in withheld
        # a variable left out for its name: its own note says it (helper-599 F3)
        and not named_secret(f.target.removeprefix("env."))
    ]
    said = "`drift check` will report"  # what the next step meets, not init's (helper-532)
    notes += [  # one line each: live names in a message shown escaped (helper-591 F1)
        visible(f"{f.workload}: {said} {f.rule} {f.target}: {f.message}") for f in findings
    ]
    notes += dict.fromkeys(
        f"{key_label(u.key)}: could not verify {u.target} ({u.reason}): `drift check` will "
        "report it unverified"
        for u in state.unverified
        if not _unread_workload(u)
    )
    return tuple(notes)
