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
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

from drift.check import Reading
from drift.diff.env import VALUE_RULES, judges_value
from drift.diff.same_as import same_as_rules
from drift.diff.secrets import held_refs
from drift.errors import UsageError
from drift.fields import account_project
from drift.findings import Finding, Unverified
from drift.kinds import key_label
from drift.live.access import unknown_defaults
from drift.live.model import ContainerConfig, LiveService, RevisionConfig
from drift.live.remember import remember_plain_secrets
from drift.live.resolve import names_default_account
from drift.live.state import LiveState
from drift.manifest.kept import kept_offline, read_kept
from drift.manifest.model import Destroyed, Manifest, Unknown, Workload, manifest_revision
from drift.manifest.planned import MAYBE, Planned, expiring, rotated
from drift.manifest.refused import no_ingress
from drift.manifest.removed import removals
from drift.manifest.scope import (
    destroyed_in,
    file_problems,
    holds,
    key_of,
    near_misses,
    placement,
    unread_in,
)
from drift.manifest.serving import live_service, pinned, tag_notes
from drift.profiles.model import Profile, ServiceProfile
from drift.refs import SecretRef
from drift.secret_target import secret_target

OFFLINE = "not read (--offline): existence, state and access are checked without it"
OFFLINE_NUMBER = "the project's number is not read (--offline)"


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
    gone: dict[str, Destroyed] = field(default_factory=dict)
    """The services in scope the plans destroy: `service.missing`, as once applied."""
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
        a near miss of one the run would check that no manifest holds, `near_misses`)."""
        problems: list[str] = []
        notes: list[str] = []
        found: dict[str, Workload] = {}
        elsewhere: list[str] = []
        anywhere = any(holds(m, profile) for m in self.manifests)
        for manifest in self.manifests:
            notes += manifest.notes
            problems += file_problems(manifest, profile, notes, anywhere)
            for w in manifest.workloads:
                key = key_of(w)
                if key not in profile.services:
                    continue
                if placed := placement(w.where, w.kind, w.name, w.project, w.region, profile):
                    elsewhere += placed
                    continue
                if key in found:
                    problems.append(
                        f"{w.kind} {w.name} is in {found[key].where} and in {w.where}: "
                        "check each in its own run"
                    )
                found[key] = w
        unread = unread_in(self.manifests, profile, found, elsewhere, problems)
        gone = destroyed_in(self.manifests, profile, names, found, unread, notes)
        if anywhere:  # else each such file is refused on its own (`file_problems`)
            problems += near_misses(self.manifests, profile, names, {*found, *unread, *gone})
        if found or unread or gone:
            notes += [f"{e}: not checked" for e in elsewhere]
        else:
            problems += elsewhere
        if problems:
            raise UsageError("\n".join(problems))
        files = ", ".join(m.file for m in self.manifests)
        asked = set(profile.select(self.requested)) if self.requested else set()
        absent = f"asked for, and not in the manifests ({files})"
        chosen = [n for n in names if n in found]
        if not chosen and not any(n in unread or n in gone for n in names):
            raise UsageError(
                f"nothing to check: none of {', '.join(map(key_label, names)) or 'no service'} "
                "is in the "
                f"manifests ({files})" + "".join(f"\n  note: {n}" for n in notes)
            )
        self.chosen = {n: found[n] for n in chosen}
        self.gone = gone
        self.unread = {
            n: unread.get(n, absent)
            for n in names
            if n not in found and n not in gone and (n in unread or n in asked)
        }
        notes += [note for n in chosen if (note := pinned(found[n], offline=self.offline))]
        for n in chosen:  # reached through a tag at 0 %: its own URL (helper-600 F1)
            notes += tag_notes(found[n], profile.services[n], offline=self.offline)
        self.notes = tuple(notes)
        return [n for n in names if n in self.chosen or n in self.unread or n in gone]

    async def read(self, profile: Profile, names: list[str], how: Reading) -> LiveState:
        state = self.state = LiveState()
        self.project = profile.project
        for name in names:
            if name in self.gone:  # as the live reader finds it once applied (NOT_FOUND)
                state.missing.add(name)
                continue
            if name in self.unread:
                target = profile.services[name].kind.value  # as the live reader says it
                state.unverified.append(Unverified.at(name, target, self.unread[name]))
                continue
            workload, expected = self.chosen[name], profile.services[name]
            live = live_service(workload, profile, expected)
            remember_plain_secrets(expected, live)  # as the live reader does, before any text
            state.services[name] = live
            self.unknown[name] = list(workload.unknown)
            # which containers have a port not known until apply (`*`: said there already);
            # any other value unknown leaves that rule to judge (helper-564 F7)
            if not any(u.target == "*" for u in workload.unknown):
                self.unknown[name] += no_ingress(workload.kind, workload.where, workload.resource)
            if self.offline:
                self.unknown[name] += _project_numbers(profile, expected, live.template)
                state.unverified += _namespace(workload, profile, OFFLINE_NUMBER)
            state.unverified += _unverified(
                name,
                self.unknown[name],
                expected,
                live.template,
                set(names),
                state,
                profile.project,
            )
        for name, unknown in _same_as_unknown(profile, list(state.services), self.unknown):
            self.unknown[name].append(unknown)
            state.unverified.append(Unverified.at(name, unknown.target, unknown.why))
        if self.offline:
            own = profile.project
            keys = {
                (n, secret_target(ref, state, own), ref.unreadable or OFFLINE)  # why
                for n, s in state.services.items()
                for _, _, ref in _refs(s)
            }
            state.unverified += [Unverified.at(n, t, w) for n, t, w in sorted(keys)]
            state.unverified += kept_offline(profile, self.chosen)
            defaults = [n for n in state.services if names_default_account(profile.services[n])]
            if not own.isdigit():  # the number is the project's own name
                state.unverified += unknown_defaults(state, defaults, OFFLINE_NUMBER)
            self.notes += (
                "--offline: nothing was read from Google Cloud; the secrets the manifests "
                "reference are not verified",
            )
        else:
            from drift.live.session import Session

            numbered = any(self.chosen[n].project.isdigit() for n in state.services)
            async with Session(how.settings.access(), how.runner) as session:
                await read_kept(session, profile, self.chosen, state)  # their secrets too
                why = await session.check_secrets(profile, names, state, numbered=numbered)
            self._numbered(profile, state, why)
        gone = [r for m in self.manifests for r in m.removed]
        state.unverified += removals(gone, state, profile.project)  # read there, not for long
        planned = [p for m in self.manifests for p in m.planned]
        state.unverified += rotated(planned, state, profile.project)  # latest: a new version
        state.unverified += expiring(planned, state, profile.project)  # the plan's expiry
        return state

    def _numbered(self, profile: Profile, state: LiveState, why: str) -> None:
        """A workload whose manifest names its project by number (a Knative export's
        `namespace`), once GetProject told the profile's project's number: another project's
        is exit 2, as one named by id is (`placement`); the number not learnt (`why`), the
        workload is not verified, never clean."""
        number = state.number_of(profile.project)
        problems = []
        for name in state.services:
            w = self.chosen[name]
            if not w.project.isdigit():
                continue
            if number:
                problems += placement(w.where, w.kind, w.name, w.project, "", profile, number)
            else:
                state.unverified += _namespace(w, profile, why)
        if problems:
            raise UsageError("\n".join(problems))

    def settle(self, findings: list[Finding]) -> list[Finding]:
        """Withhold every finding on a value the manifest does not know yet; one on a secret
        or an access the manifest creates is not verified; a workload the plan destroys is
        missing as the live check says it, with the plan's address."""
        kept = []
        for f in findings:
            if _withheld(f, self.unknown.get(f.key, ())):
                continue
            if f.rule == "service.missing" and (d := self.gone.get(f.key)) is not None:
                message = (
                    f"{d.kind.noun} {f.service} is destroyed by this plan: {d.address}{d.detail}"
                )
                # "Each finding's `revision` is `manifest:FILE`" (SPEC): the plan destroys it
                revision = manifest_revision(d.file)
                kept.append(replace(f, message=f"{message} ({d.file})", revision=revision))
                continue
            answer = self._planned(f)
            if answer is None:
                kept.append(f)
                continue
            why = f"{answer[1]} by this plan: {answer[0].address}"
            self.state.unverified.append(Unverified.at(f.key, f.target, why))
        return kept

    def _planned(self, finding: Finding) -> tuple[Planned, str] | None:
        """What of the plan may answer a `secret.missing` or `secret.no_access`, and how:
        "created", or as `Planned.grant` says."""
        if finding.rule not in ("secret.missing", "secret.no_access"):
            return None
        planned = [p for m in self.manifests for p in m.planned]
        created = {p.secret for p in planned if p.rule == "secret.missing"}
        live = self.state.services.get(finding.key)
        account = live.template.service_account if live is not None else ""
        number = self.state.number_of(account_project(account)) if account else ""
        key = finding.target.removeprefix("secret.")
        answers = [
            (p, "created" if p.rule == "secret.missing" else p.grant(account, number))
            for p in planned
            if p.rule == finding.rule and p.answers(key, self.project, account, created, number)
        ]
        # one resource that grants outright says more than another that may (a condition)
        return min(answers, key=lambda a: a[1] == MAYBE, default=None)


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


def _namespace(workload: Workload, profile: Profile, why: str) -> list[Unverified]:
    """A workload whose manifest names its project by a number (a Knative export's
    `namespace`) where the profile's project's number is not known (`why`: offline, or
    GetProject not read) may be another project's (`placement` tells once it is known): not
    verified, never clean. What the file says is still judged against the profile."""
    if not workload.project.isdigit() or workload.project == profile.project:
        return []
    reason = f"{workload.where}: project {workload.project} may not be {profile.project}: {why}"
    return [Unverified.at(key_of(workload), "service", reason)]


def _unverified(
    name: str,
    unknown: list[Unknown],
    expected: ServiceProfile,
    config: RevisionConfig,
    checked: set[str],
    state: LiveState,
    own: str,
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
                Unverified.at(
                    name,
                    secret_target(ref, state, own),
                    f"access not verified: {reason}",
                )
                for _, _, ref in config.secret_refs()
            ]
        elif u.value:  # a plain variable's value: only where a rule judges it
            var = u.target.removeprefix("env.")
            if any(judges_value(r.env[var]) for r in expected.containers if var in r.env):
                out.append(Unverified.at(name, u.target, reason))
        elif not u.target.startswith("setting.") or _states(expected, u, config.primary):
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


def _states(expected: ServiceProfile, unknown: Unknown, primary: str) -> bool:
    """Whether the profile states the setting `unknown` hides: the workload's (of `primary`,
    the container `env` describes), or a sidecar's own, of the container it names (any
    where it names none)."""
    setting, container = unknown.target.removeprefix("setting."), unknown.container
    workload = container in (None, primary) and setting in expected.settings
    sidecars = [r for r in expected.sidecars.values() if container in (None, r.name)]
    return workload or any(setting in r.settings for r in sidecars)


def _same_as_unknown(
    profile: Profile, names: list[str], unknown: dict[str, list[Unknown]]
) -> list[tuple[str, Unknown]]:
    """The `same_as` rules of the workloads read whose other side the manifest does not know
    yet (the host of a database the same plan creates; a secret it names after apply): not
    compared, never `env.inconsistent` against the blank drift keeps in its place, and never
    clean where this side happens to match that blank. Its own findings on the value are
    withheld (`rule`); why is the other side's."""
    out = []
    for name, container, rule in same_as_rules(profile, names):
        assert rule.same_as is not None
        other, var = rule.same_as
        hidden = [u for u in unknown.get(other, ()) if u.rule is None]
        why = next((u.why for u in hidden if fnmatchcase(f"env.{var}", u.target)), None)
        if why is not None:
            said = f"same_as {key_label(other)}.{var} not compared: {why}"
            out.append((name, Unknown(f"env.{rule.name}", said, container, "env.inconsistent")))
    return out


def _withheld(finding: Finding, unknown: Iterable[Unknown]) -> bool:
    return any(_covers(u, finding) for u in unknown)


def _covers(unknown: Unknown, finding: Finding) -> bool:
    if unknown.rule is not None and finding.rule != unknown.rule:
        return False
    if unknown.value and finding.rule not in VALUE_RULES:
        return False
    if unknown.container is not None and finding.container not in (None, unknown.container):
        return False
    return fnmatchcase(finding.target, unknown.target)
