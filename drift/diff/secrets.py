"""The `secret.*` and `mount.*` rules on one revision: every secret it references wherever it is
(any container's env, secret volumes), its version's state, its lifecycle, and whether the
revision's service account may access it; then the mounts the profile names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import replace

from drift.diff.context import At
from drift.findings import Finding, Location, Severity, Since, Unverified
from drift.live.iam_policy import Grant
from drift.live.model import ContainerConfig, RevisionConfig
from drift.live.secret_state import SecretVersionInfo, VersionState
from drift.live.state import LiveState
from drift.profiles.model import ContainerRules, MountRule, Profile
from drift.refs import SecretRef, shown_mode
from drift.secret_target import secret_key, secret_target
from drift.textsafe import plural

Use = tuple[ContainerConfig, str, SecretRef]
"""(container, what uses the secret: a variable name or a mount path, reference)"""


def secret_findings(at: At) -> Iterator[Finding]:
    """One secret, however its references name its project (omitted, by id, by number, when
    the id of that number is known), is told of once, under one name whatever the spelling:
    `NAME` in the workload's own project (SPEC: target `secret.NAME`), else `PROJECT/NAME` by
    the project's id when known, so its finding ids and ignores hold when a deploy respells
    the reference (`projects/NUMBER/secrets/NAME` is what Secret Manager returns as
    Secret.name, so what Terraform writes)."""
    state, own = at.ctx.state, at.ctx.profile.project
    by_secret: dict[str, list[Use]] = {}
    for use in at.config.secret_refs():
        by_secret.setdefault(secret_key(use[2], state, own), []).append(use)
    for key, uses in sorted(by_secret.items()):
        yield from _secret(at, key, _ordered(at, uses))
    yield from mount_findings(at)


def _ordered(at: At, uses: list[Use]) -> list[Use]:
    """The main container's uses first, then each sidecar's by name: the container a finding
    is scoped by (its id) and the order its message names the uses, whatever order the
    template lists its containers in, which means nothing to Cloud Run (the ingress container
    is the one with a port, startup order is `depends_on`'s): a redeploy that reorders them
    is the same drift, never a new id and a resolved one under a baseline (helper-608 F2)."""
    primary = at.config.primary
    return sorted(uses, key=lambda use: (use[0].name != primary, use[0].name))


def _secret(at: At, key: str, uses: list[Use]) -> Iterator[Finding]:
    """The state of each version the revision uses and its scheduled destruction (once per
    version, naming what uses that version), the secret's expiry and access (once, naming
    every user)."""
    target = secret_target(uses[0][2], at.ctx.state, at.ctx.profile.project)  # "secret.{key}"
    state = at.ctx.state
    by_version: dict[str, list[Use]] = {}
    infos: dict[str, SecretVersionInfo] = {}
    for use in uses:
        info = state.versions.get(use[2])
        if info is not None:
            missing = info.state is VersionState.SECRET_MISSING  # said once, whatever version
            version = "" if missing else info.resolved or use[2].version
            by_version.setdefault(version, []).append(use)
            infos.setdefault(version, info)
    for version, users in by_version.items():
        info = infos[version]
        ref = users[0][2]
        problem = None
        if info.state is not VersionState.ENABLED:  # almost every version is: nothing to tell
            problem = _state_problem(key, ref, info, len({u[2] for u in users}) > 1)
        if problem is not None:
            rule, text = problem
            location, names = _told(at, users)
            found = at.finding(
                rule,
                target,
                f"{text} (referenced by {names} on {at.where})",
                location=location,
                expected="ENABLED",
                actual=info.state.value,
                # the container that uses this version (the main one first), as the message
                # names it: another version's user is not this finding's (helper-739 F1)
                container=users[0][0].name,
                variant=_pinned(version, users),
                # which version fails, as `job.failed` names its execution: `latest` now
                # standing for another bad version is `updated` against a baseline, never
                # hidden behind the id `_pinned` keeps (revbase80 F2)
                failed=(f"version {version}",) if version else (),
            )
            if info.destroyed is not None:  # the one state change the API dates
                found = replace(found, since=Since(None, info.destroyed, "", None, None))
            yield found
        if info.destroy_at is not None:
            ends = (f"version {version} of {key}", "is destroyed", "was due for destruction")
            yield from _expiring(at, info.destroy_at, ends, target, users, f"version {version}")
    expires = next((state.expiry[u[2].key] for u in uses if u[2].key in state.expiry), None)
    if by_version and expires is not None:
        ends = (f"secret {key}", "expires", "expired")
        yield from _expiring(at, expires, ends, target, uses)
    account = at.config.settings.get("service_account", "")
    if isinstance(account, str):
        yield from _no_access(at, key, target, account, uses)


def _no_access(at: At, key: str, target: str, account: str, uses: list[Use]) -> Iterator[Finding]:
    """Once per secret, when any reference in use is denied: each is judged on its own (a
    condition on `resource.name` sees the version, so it may grant one version and not
    another); the message names the versions denied when others are granted."""
    state = at.ctx.state
    denied = [u for u in uses if state.grant(account, u[2]) is Grant.DENIED]
    if not denied:
        return
    location, names = _told(at, denied)
    note = state.verdict(account, denied[0][2])  # the account as decided (normalised)
    detail = note.detail if note is not None else ""
    account = state.account(account, at.ctx.profile.project)  # one name wherever it is named
    versions = dict.fromkeys(u[2].version for u in denied)
    some = len(versions) < len({u[2].version for u in uses})
    what = f"{key} version {', '.join(versions)}" if some else key
    yield at.finding(
        "secret.no_access",
        target,
        f"{account} (service account of {at.where}) is not granted "
        f"roles/secretmanager.secretAccessor on {what} (used by {names}){detail}",
        location=location,
        expected=f"{account} can access {key}",
        actual=(
            "no accessor binding that holds for this version (a condition grants the others)"
            if some
            else "no accessor binding on the secret, its project or their parents"
        ),
        container=denied[0][0].name,  # a user denied, as the message names (helper-739 F2)
        # which versions a condition denies, as `secret.disabled` names its version: another
        # version denied is `updated` against a baseline, never hidden behind the one id
        failed=tuple(f"version {v}" for v in versions) if some else (),
    )


def _pinned(version: str, users: list[Use]) -> str | None:
    """What keeps the id of one version's state apart from another version's of the same
    secret: a version that only pinned references use is named in the id; the version `latest`
    stands for (and a secret that does not exist, said once) keeps the bare id. Named by what
    the references say, never by which other versions are bad, so an id does not move to
    another version when one is repaired (a baseline would then hide the one still bad)."""
    if not version or any(ref.version == "latest" for _, _, ref in users):
        return None
    return f"version {version}"


def _told(at: At, uses: list[Use]) -> tuple[Location, str]:
    """Where the profile expects the secret, and what uses it, in words."""
    names = ", ".join(dict.fromkeys(_used_by(at, c, what) for c, what, _ in uses))
    return _location(at, uses), names


def _state_problem(
    key: str, ref: SecretRef, info: SecretVersionInfo, several: bool = False
) -> tuple[str, str] | None:
    """`several`: more than one reference names this version (`latest` and its number)."""
    version = ref.version
    if several and info.resolved:
        version = info.resolved
    elif info.resolved and info.resolved != version:
        version = f"{version} (version {info.resolved})"
    if info.state is VersionState.SECRET_MISSING:
        return "secret.missing", f"secret {key} does not exist"
    if info.state is VersionState.MISSING:
        return "secret.missing", f"version {version} of {key} does not exist"
    if info.state is VersionState.DESTROYED:
        return "secret.destroyed", f"version {version} of {key} is DESTROYED"
    if info.state is VersionState.DISABLED:
        return "secret.disabled", f"version {version} of {key} is DISABLED"
    return None


def _expiring(
    at: At,
    when: dt.datetime | None,
    what: tuple[str, str, str],
    target: str,
    uses: list[Use],
    variant: str | None = None,
) -> Iterator[Finding]:
    """Secret.expire_time: the secret is deleted then; SecretVersion.scheduled_destroy_time: a
    version "is destroyed only after" it (delayed destruction). A version's destruction is
    told apart from the secret's expiry and from another version's by `variant` in its id.
    `what`: the subject, its verb to come and its verb past: a time already gone (a runner's
    clock ahead, a read just before the deletion) says so, where the next read finds the secret
    missing or the version destroyed."""
    state = at.ctx.state
    window = dt.timedelta(days=at.ctx.service.expiry_warning)
    if when is None or when - state.now > window:
        return
    subject, coming, past = what
    left = when - state.now
    if left < dt.timedelta(0):
        said = f"{subject} {past} on {when:%Y-%m-%d %H:%M} UTC, {_span(-left)} ago"
    else:
        said = f"{subject} {coming} on {when:%Y-%m-%d %H:%M} UTC, in {_span(left)}"
    location, names = _told(at, uses)
    yield at.finding(
        "secret.expiring",
        target,
        f"{said} (used by {names} on {at.where})",
        location=location,
        expected=f"not before {at.ctx.service.expiry_warning} days from now",
        actual=f"{when:%Y-%m-%d}",
        severity=Severity.WARNING,
        container=uses[0][0].name,
        variant=variant,
    )


def _span(span: dt.timedelta) -> str:
    """`3 days`, under a day `5 hours`, under an hour `less than an hour`; rounded to the
    nearest, as the date beside it reads (9 days 23 hours is `10 days`, never `9 days`)."""
    if span < dt.timedelta(hours=1):
        return "less than an hour"
    hours = int(span / dt.timedelta(hours=1) + 0.5)
    if hours < 24:
        return plural(hours, "hour")
    return plural(int(span / dt.timedelta(days=1) + 0.5), "day")


def _used_by(at: At, container: ContainerConfig, what: str) -> str:
    sidecar = len(at.config.containers) > 1 and container.name != at.config.primary
    return f"{what} in {container.name}" if sidecar else what


def _location(at: At, uses: list[Use]) -> Location:
    """The profile line that expects the secret (a mount rule of the file or of the directory
    holding it), else the service's."""
    for rules in at.ctx.service.containers:
        for _, what, _ in uses:
            found = rules.env.get(what) or rules.mounts.get(what)
            if found is not None:
                return found.location
            for path, rule in rules.mounts.items():
                if what.startswith(path.rstrip("/") + "/"):
                    return rule.location
    return at.ctx.service.location


def mount_findings(at: At, only: str | None = None) -> Iterator[Finding]:
    """`mount.missing` / `mount.secret_ref` / `mount.mode` for each mount the profile names
    (`only`: the one that target names, `env.judging`)."""
    for rules in at.rules:
        name = rules.name if rules.name is not None else at.config.primary
        container = at.config.named(name)
        for path, rule in rules.mounts.items():
            if only is None or only == f"mount.{path}":
                yield from _mount(at, container, path, rule)


def _mount(at: At, container: ContainerConfig, path: str, rule: MountRule) -> Iterator[Finding]:
    seen = [m for p, m in container.mounts.items() if p == path or p.startswith(path + "/")]
    several = len(seen) > 1  # each file of the directory its own id (one file: as it was)
    problems: list[tuple[str, str, str | None, str | None]] = [
        (
            "mount.secret_ref",
            f"{m.path} on {at.on(container.name)} mounts {m.ref} instead of {rule.ref}",
            str(m.ref),
            m.path if several and m.path != path else None,
        )
        for m in seen
        if at.ctx.same_ref(rule.ref, m.ref) is False  # None: unverified (`unknown_refs`)
    ]
    if not seen and not rule.optional:
        message = f"no secret is mounted at {path} on {at.on(container.name)}"
        problems.append(("mount.missing", message, None, None))
    for rule_id, message, actual, variant in problems:
        yield at.finding(
            rule_id,
            f"mount.{path}",
            message,
            location=rule.location,
            expected=str(rule.ref),
            actual=actual,
            severity=rule.severity,
            container=container.name,
            variant=variant,
        )
    if rule.mode is None:
        return
    wanted = rule.mode
    for m in seen:
        if m.mode == wanted:
            continue
        yield at.finding(
            "mount.mode",
            f"mount.{path}",
            f"{m.path} on {at.on(container.name)} is created with mode {shown_mode(m.mode)}, "
            f"the profile says {shown_mode(wanted)}",
            location=rule.location,
            expected=shown_mode(wanted),
            actual=shown_mode(m.mode),
            severity=rule.severity,
            container=container.name,
            variant=m.path if several and m.path != path else None,
        )


def held_refs(
    rules: ContainerRules, config: RevisionConfig
) -> tuple[ContainerConfig, list[tuple[str, SecretRef | None, SecretRef | None]]]:
    """The container `rules` describe, and for each of its variables and mounts the profile
    names: (target, the reference expected, the reference held)."""
    container = config.named(rules.name if rules.name is not None else config.primary)
    pairs = [
        (f"env.{name}", rule.ref, var.ref)
        for name, rule in rules.env.items()
        if (var := container.env.get(name)) is not None
    ]
    pairs += [
        (f"mount.{path}", rule.ref, mount.ref)
        for path, rule in rules.mounts.items()
        for p, mount in container.mounts.items()
        if p == path or p.startswith(path + "/")
    ]
    return container, pairs


def unknown_refs(profile: Profile, names: Sequence[str], state: LiveState) -> list[Unverified]:
    """The references the profile expects that a checked revision may or may not hold: one
    names the project by a number whose id could not be learned, the other by an id
    (`LiveState.same_ref`). Not judged (`env.secret_ref`, `mount.secret_ref`): unverified."""
    if not _numbers_unknown(profile, names, state):
        return []  # every project number is matched to its id (or none is used): all decided
    out: dict[tuple[str, str], Unverified] = {}
    for name in names:
        live = state.services.get(name)
        revisions = live.checked if live is not None else ()
        for rules, rev in ((r, v) for r in profile.services[name].containers for v in revisions):
            for target, want, have in held_refs(rules, rev.config)[1]:
                if want is None or have is None:
                    continue
                if state.same_ref(want, have, profile.project) is None:
                    why = (
                        f"cannot tell whether {have} is {want}: the project's id and "
                        "number could not be matched (GetProject could not be read)"
                    )
                    out.setdefault((name, target), Unverified.at(name, target, why))
    return list(out.values())


def _numbers_unknown(profile: Profile, names: Sequence[str], state: LiveState) -> bool:
    """Whether any reference, expected or held, names its project by a number whose id is not
    known: the only way `LiveState.same_ref` cannot decide (a quick pass before the pairing)."""

    def unknown(ref: SecretRef | None) -> bool:
        return ref is not None and ref.project.isdigit() and ref.project not in state.projects

    if profile.project.isdigit() and profile.project not in state.projects:
        return True  # an omitted project is the profile's own: a number too
    for name in names:
        for rules in profile.services[name].containers:
            refs = [r.ref for r in rules.env.values()] + [m.ref for m in rules.mounts.values()]
            if any(unknown(r) for r in refs):
                return True
        live = state.services.get(name)
        for rev in live.checked if live is not None else ():
            for c in rev.config.containers:
                if any(unknown(v.ref) for v in c.env.values()):
                    return True
                if any(unknown(m.ref) for m in c.mounts.values()):
                    return True
    return False
