"""The manifests as a `drift.check.Source`: each service they describe becomes the same
`LiveService` the live reader builds (one revision, `manifest:FILE`, serving 100 %), so the
diff, rules, ignores, report and exit codes are the live check's. Nothing is read from Cloud
Run; the secrets the services reference are read from Secret Manager and IAM as the live
reader reads them (`Session.check_secrets`), unless offline.

A manifest is text from outside drift (a pull request writes it, and no Cloud Run validation
stands in front of it): every name, project or region of it that a message or a note quotes is
`visible` there, and `where` (its file and Terraform address) is made visible where it is made,
so that no line break in it starts a line of its own on stderr or in a CI log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from drift.check import Reading
from drift.diff.secrets import held_refs
from drift.diff.suggest import near_miss
from drift.errors import UsageError
from drift.findings import Finding, Unverified
from drift.kinds import Kind, key_label, label, workload_key
from drift.live.model import ContainerConfig, LiveService, LiveState, RevisionConfig
from drift.live.remember import remember_plain_secrets
from drift.manifest.model import Manifest, Unknown, Unread, Workload
from drift.manifest.planned import Planned, rotated
from drift.manifest.removed import removals
from drift.manifest.serving import live_service, pinned
from drift.profiles.model import Profile, ServiceProfile
from drift.refs import SecretRef
from drift.textsafe import visible

OFFLINE = "not read (--offline): existence, state and access are checked without it"


@dataclass
class ManifestSource:
    manifests: list[Manifest]
    offline: bool = False
    requested: tuple[str, ...] = ()
    """The services named on the command line (`--service`): each is checked, or said not
    to be, never silently left out."""
    deployed: bool = False
    notes: tuple[str, ...] = ()
    chosen: dict[str, Workload] = field(default_factory=dict)
    unknown: dict[str, list[Unknown]] = field(default_factory=dict)
    """What each service's findings cannot be judged on (the manifest's own unknowns, and
    offline, which project a number names)."""
    unread: dict[str, str] = field(default_factory=dict)
    """The services in scope the manifests do not let drift read, and why: not verified."""
    state: LiveState = field(default_factory=LiveState)
    project: str = ""

    def scope(self, profile: Profile, names: list[str]) -> list[str]:
        """The services asked for that the manifests describe. Manifests that describe
        services, none of them the profile's, a service described twice for the profile's
        project and region, or only services meant for another project or region: exit 2,
        nothing checked (those of another project or region beside the profile's are noted:
        a plan that deploys to several regions is checked one region per profile; a manifest
        of a service the profile does not list, beside one that holds a service of the
        profile, is noted as a plan's other resources are: a pipeline passing every rendered
        file is not blocked by a new service until the profile lists it — unless its name is
        a near miss of one the run would check that no manifest holds, `_near_misses`)."""
        problems: list[str] = []
        notes: list[str] = []
        found: dict[str, Workload] = {}
        elsewhere: list[str] = []
        anywhere = any(_holds(m, profile) for m in self.manifests)
        for manifest in self.manifests:
            notes += manifest.notes
            problems += _file_problems(manifest, profile, notes, anywhere)
            for w in manifest.workloads:
                key = _key(w)
                if key not in profile.services:
                    continue
                if placed := _placement(w.where, w.kind, w.name, w.project, w.region, profile):
                    elsewhere += placed
                    continue
                if key in found:
                    problems.append(
                        f"{w.kind} {w.name} is in {found[key].where} and in {w.where}: "
                        "check each in its own run"
                    )
                found[key] = w
        unread = _unread(self.manifests, profile, found, elsewhere, problems)
        if anywhere:  # else each such file is refused on its own (`_file_problems`)
            problems += _near_misses(self.manifests, profile, names, {*found, *unread})
        if found or unread:
            notes += [f"{e}: not checked" for e in elsewhere]
        else:
            problems += elsewhere
        if problems:
            raise UsageError("\n".join(problems))
        files = ", ".join(m.file for m in self.manifests)
        asked = set(profile.select(self.requested)) if self.requested else set()
        absent = f"asked for, and not in the manifests ({files})"
        chosen = [n for n in names if n in found]
        if not chosen and not any(n in unread for n in names):
            raise UsageError(
                f"nothing to check: none of {', '.join(map(key_label, names)) or 'no service'} "
                "is in the "
                f"manifests ({files})" + "".join(f"\n  note: {n}" for n in notes)
            )
        self.chosen = {n: found[n] for n in chosen}
        self.unread = {
            n: unread.get(n, absent)
            for n in names
            if n not in found and (n in unread or n in asked)
        }
        notes += [note for n in chosen if (note := pinned(found[n]))]
        self.notes = tuple(notes)
        return [n for n in names if n in self.chosen or n in self.unread]

    async def read(self, profile: Profile, names: list[str], how: Reading) -> LiveState:
        state = self.state = LiveState()
        self.project = profile.project
        for name in names:
            if name in self.unread:
                target = profile.services[name].kind.value  # as the live reader says it
                state.unverified.append(Unverified.at(name, target, self.unread[name]))
                continue
            workload, expected = self.chosen[name], profile.services[name]
            live = live_service(workload, profile, expected)
            remember_plain_secrets(expected, live)  # as the live reader does, before any text
            state.services[name] = live
            self.unknown[name] = list(workload.unknown)
            if self.offline:
                self.unknown[name] += _project_numbers(profile, expected, live.template)
            state.unverified += _unverified(
                name, self.unknown[name], expected, live.template, set(names)
            )
        if self.offline:
            keys = {
                (n, ref.key, ref.unreadable or OFFLINE)  # a form drift reads nowhere: why
                for n, s in state.services.items()
                for _, _, ref in _refs(s)
            }
            state.unverified += [Unverified.at(n, f"secret.{k}", w) for n, k, w in sorted(keys)]
            self.notes += (
                "--offline: nothing was read from Google Cloud; the secrets the manifests "
                "reference are not verified",
            )
        else:
            from drift.live.session import Session

            async with Session(how.settings.access(), how.runner) as session:
                await session.check_secrets(profile, names, state)
        gone = [r for m in self.manifests for r in m.removed]
        state.unverified += removals(gone, state, profile.project)  # read there, not for long
        planned = [p for m in self.manifests for p in m.planned]
        state.unverified += rotated(planned, state, profile.project)  # latest: a new version
        return state

    def settle(self, findings: list[Finding]) -> list[Finding]:
        """Withhold every finding on a value the manifest does not know yet; one on a secret
        or an access the manifest creates is not verified."""
        kept = []
        for f in findings:
            if _withheld(f, self.unknown.get(f.key, ())):
                continue
            answer = self._planned(f)
            if answer is None:
                kept.append(f)
                continue
            done = "created" if answer.rule == "secret.missing" else "granted"
            why = f"{done} by this plan: {answer.address}"
            self.state.unverified.append(Unverified.at(f.key, f.target, why))
        return kept

    def _planned(self, finding: Finding) -> Planned | None:
        if finding.rule not in ("secret.missing", "secret.no_access"):
            return None
        planned = [p for m in self.manifests for p in m.planned]
        created = {p.secret for p in planned if p.rule == "secret.missing"}
        live = self.state.services.get(finding.key)
        account = live.template.service_account if live is not None else ""
        key = finding.target.removeprefix("secret.")
        return next(
            (
                p
                for p in planned
                if p.rule == finding.rule and p.answers(key, self.project, account, created)
            ),
            None,
        )


def _key(workload: Workload) -> str:
    return workload_key(workload.kind, workload.name)


def _unread(
    manifests: list[Manifest],
    profile: Profile,
    found: dict[str, Workload],
    elsewhere: list[str],
    problems: list[str],
) -> dict[str, str]:
    """The profile's workloads the manifests deploy, for its project and region, in a form
    drift does not read, and why; with the services `found` (read), one the manifests
    describe twice goes to `problems`: two resources (the v1 and the v2 one of a migration
    half done) write the same Cloud Run service, the later one wins. A workload whose name
    is not known until apply may be any of the profile's of its kind that the manifests do
    not otherwise describe: each is not verified, never clean."""
    out: dict[str, Unread] = {}
    nameless: list[Unread] = []
    for u in (u for m in manifests for u in m.unread):
        key = workload_key(u.kind, u.name)
        if u.name and key not in profile.services:
            continue
        if placed := _placement(u.where, u.kind, u.name, u.project, u.region, profile):
            elsewhere += placed if u.name else []  # a nameless one is noted as such
        elif not u.name:
            nameless.append(u)
        elif (first := found.get(key) or out.get(key)) is not None:
            problems.append(
                f"{u.kind} {u.name} is in {first.where} and in {u.where}: both deploy it, and "
                "the later write wins; describe it once (a move to google_cloud_run_v2_service "
                "replaces the v1 resource with a `removed` block, `destroy = false`, which "
                "leaves the service running)"
            )
        else:
            out[key] = u
    reasons = {k: u.why for k, u in out.items()}
    for u in nameless:
        for key in (k for k, p in profile.services.items() if p.kind is u.kind):
            if key not in found:
                reasons.setdefault(key, u.why)
    return reasons


def _near_misses(
    manifests: list[Manifest], profile: Profile, names: list[str], held: set[str]
) -> list[str]:
    """A workload the profile does not list whose name is a near miss (`near_miss`: a typo, a
    rename the profile did not follow) of one the run would check that no manifest holds
    (`held`): noted only, it would leave the profile's unchecked and the run clean. One line
    naming both; a new service of another name stays a note."""
    lacking = [profile.services[k] for k in names if k not in held]
    problems = []
    for w in (w for m in manifests for w in m.workloads if _key(w) not in profile.services):
        close = near_miss(w.name, [p.name for p in lacking if p.kind is w.kind])
        if close is not None:
            problems.append(
                f"{w.kind} {visible(w.name)} ({w.where}) is not in profile "
                f"{profile.environment}; did you mean {close}? ({close} has no manifest in this "
                f"run and would go unchecked: name it as the profile does, add "
                f"{visible(w.name)} to the profile, or leave {close} out with --service)"
            )
    return problems


def _here(u: Unread, profile: Profile) -> bool:
    """Whether an unread workload is (or, nameless, may be) one of the profile's."""
    if u.name:
        return workload_key(u.kind, u.name) in profile.services
    placed = _placement(u.where, u.kind, u.name, u.project, u.region, profile)
    return bool(profile.of_kind(u.kind)) and not placed


def _holds(manifest: Manifest, profile: Profile) -> bool:
    """Whether the manifest describes (or, unread, may deploy) one of the profile's."""
    return any(_key(w) in profile.services for w in manifest.workloads) or any(
        _here(u, profile) for u in manifest.unread
    )


def _file_problems(
    manifest: Manifest, profile: Profile, notes: list[str], anywhere: bool
) -> list[str]:
    """`anywhere`: some manifest of the run holds one of the profile's workloads; a file that
    holds none is then only noted (each workload of it: not in the profile, not checked)."""
    notes.extend(
        f"{w.kind} {visible(w.name)} ({w.where}) not checked: not in the profile"
        for w in manifest.workloads
        if _key(w) not in profile.services
    )
    if _holds(manifest, profile):
        return []
    # a kind the profile describes none of (a job file, a profile of services) is only noted
    described = [w for w in manifest.workloads if profile.of_kind(w.kind)]
    if described and anywhere:
        return []
    if described:
        return [
            f"{manifest.file} names no {described[0].kind} of profile {profile.environment}: "
            f"it has {', '.join(label(w.kind, visible(w.name)) for w in described)}; the profile "
            f"has {', '.join(p.label for p in profile.services.values()) or 'none'}"
        ]
    if not manifest.workloads:
        why = "".join(f"; {n}" for n in manifest.notes)
        return [f"{manifest.file} holds no Cloud Run service, job or worker pool to check{why}"]
    return []


def _placement(
    where: str, kind: Kind, name: str, project: str, region: str, profile: Profile
) -> list[str]:
    """A workload for another project (by id: a number cannot be told apart offline) or
    region is not the profile's: checked, it would be against the wrong secrets and
    expectations."""
    problems = []
    if project and not project.isdigit() and project != profile.project:
        problems.append(
            f"{where}: {kind} {visible(name)} is for project {visible(project)}, profile "
            f"{profile.environment} checks {profile.project} (--project to override)"
        )
    if region and region != profile.region:
        problems.append(
            f"{where}: {kind} {visible(name)} is for region {visible(region)}, "
            f"profile {profile.environment} checks {profile.region} (--region to override)"
        )
    return problems


def _refs(service: LiveService) -> list[tuple[ContainerConfig, str, SecretRef]]:
    return [use for rev in service.checked for use in rev.config.secret_refs()]


def _project_numbers(
    profile: Profile, expected: ServiceProfile, config: RevisionConfig
) -> list[Unknown]:
    """Offline, a project named by its number and one named by its id cannot be told apart
    (GetProject would): a reference that differs from the profile's only that way is not
    judged."""
    out = []
    for rules in expected.containers:
        container, pairs = held_refs(rules, config)
        for target, want, have in pairs:
            if (
                want is None
                or have is None
                or (want.secret, want.version)
                != (
                    have.secret,
                    have.version,
                )
            ):
                continue
            tokens = {want.project or profile.project, have.project or profile.project}
            if len(tokens) > 1 and any(t.isdigit() for t in tokens):
                why = f"projects {' and '.join(sorted(tokens))} may be one (not read: --offline)"
                rule = f"{target.split('.', 1)[0]}.secret_ref"
                out.append(Unknown(target, why, container.name, rule))
    return out


def _unverified(
    name: str,
    unknown: list[Unknown],
    expected: ServiceProfile,
    config: RevisionConfig,
    checked: set[str],
) -> list[Unverified]:
    """What the manifest cannot tell yet, where some rule looks at it; and `same_as` rules
    whose other side is not in the manifests (no live service is read)."""
    out = []
    for u in unknown:
        reason = u.why
        if u.target == "*":
            out.append(Unverified.at(name, "service", reason))
        elif u.rule == "secret.no_access":
            out += [
                Unverified.at(name, f"secret.{ref.key}", f"access not verified: {reason}")
                for _, _, ref in config.secret_refs()
            ]
        elif not u.target.startswith("setting.") or u.target[8:] in expected.settings:
            out.append(Unverified.at(name, u.target, reason))
    for rules in expected.containers:
        for rule in rules.env.values():
            if rule.same_as is not None and rule.same_as[0] not in checked:
                other = ".".join(rule.same_as)
                out.append(
                    Unverified.at(
                        name,
                        f"env.{rule.name}",
                        f"same_as {other}: {rule.same_as[0]} is not in the manifests (a "
                        "manifest check reads no live service)",
                    )
                )
    return out


def _withheld(finding: Finding, unknown: Iterable[Unknown]) -> bool:
    return any(_covers(u, finding) for u in unknown)


def _covers(unknown: Unknown, finding: Finding) -> bool:
    if unknown.rule is not None and finding.rule != unknown.rule:
        return False
    if unknown.container is not None and finding.container not in (None, unknown.container):
        return False
    return fnmatchcase(finding.target, unknown.target)
