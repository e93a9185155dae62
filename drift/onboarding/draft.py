"""A starting profile drafted from what the live services run with: per service its settings,
the variables and mounted secrets of the container with a port, the sidecars' own, secrets as
references (in the project holding them), credential-looking plain values withheld; as YAML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from drift import redact
from drift.diff.context import moved_in
from drift.fields import read_conflicts
from drift.findings import Scope
from drift.kinds import Kind, workload_key
from drift.live.model import ContainerConfig, EnvVar, LiveService, RevisionConfig
from drift.live.normalize import differences, same_configuration
from drift.live.remember import referenced
from drift.live.state import LiveState, RevisionRecord
from drift.onboarding.setting_lines import in_all, settings_lines, sidecar_settings
from drift.onboarding.withheld import (
    Known,
    credentials_held,
    named_secret,
    not_copied,
    project_names,
    reference_project,
    secret_readers,
)
from drift.onboarding.yamltext import comment, entry, scalar
from drift.refs import DEFAULT_FILE_MODE, SecretRef, shown_mode
from drift.textsafe import visible

_PROBE_HINT = (
    "# probe:                   # fill in, then `drift probe {env}` or `drift check {env} --probe`",
    "#   websocket: /ws         # path of the WebSocket endpoint on the service URL",
    '#   subprotocols: ["jwt.${{TEST_JWT}}"]   # ${{VAR}} is read from the runner\'s environment',
    "#   headers: {{X-Test-Type: e2e}}",
    "#   hold: 2s               # the socket must stay open this long",
)


@dataclass(frozen=True)
class Variable:
    """One live variable (or mounted secret) as the profile will state it."""

    name: str
    line: str  # the YAML value (after `NAME: `)
    comment: str = ""
    secret: bool = False
    withheld: str = ""  # why a plain value is not copied (`CREDENTIAL`, `copies`' words)
    unread: str = ""
    """Why its secret reference is not written (a form drift does not read): the line
    requires the variable only; a mount is written as a comment."""


@dataclass(frozen=True)
class ContainerDraft:
    """What one container runs with: its variables and the secrets mounted in it."""

    env: tuple[Variable, ...] = ()
    mounts: tuple[Variable, ...] = ()
    settings: tuple[str, ...] = ()  # a sidecar's own (`setting_lines.sidecar_settings`)
    unnamed: int = 0  # variables left out: their name holds a secret's value (`named_secret`)


@dataclass(frozen=True)
class ServiceDraft:
    name: str
    revision: str
    settings: tuple[str, ...]  # `key: value` lines (or `# ...` comments)
    env: tuple[Variable, ...]
    container: str | None = None
    mounts: tuple[Variable, ...] = ()
    sidecars: tuple[tuple[str, ContainerDraft], ...] = ()
    tags: tuple[str, ...] = ()  # tags reaching a revision at 0 % (checked too: `check_tags`)
    kind: Kind = Kind.SERVICE
    serving: bool = True  # `revision` serves traffic (a service whose only one failed: not)
    unnamed: int = 0  # variables left out in all its containers (`ContainerDraft.unnamed`)

    @property
    def key(self) -> str:
        return workload_key(self.kind, self.name)


@dataclass(frozen=True)
class Draft(Scope):
    services: tuple[ServiceDraft, ...]
    shared: tuple[Variable, ...] = ()  # identical on every service: written under defaults

    @property
    def variables(self) -> list[tuple[str, Variable]]:
        every = [(s.key, v) for s in self.services for v in s.env]
        every += [(s.key, v) for s in self.services for _, c in s.sidecars for v in c.env]
        return every + [(s.key, v) for s in self.services for v in self.shared]


def build_draft(
    environment: str,
    project: str,
    region: str,
    names: list[str],
    services: dict[str, LiveService],
    *,
    hoist: bool = True,
    number: str = "",
    history: Mapping[str, Sequence[RevisionRecord]] | None = None,
    projects: Mapping[str, str] | None = None,
) -> Draft:
    """`hoist`: write the variables every workload sets identically under `defaults` — only
    when `names` are all the workloads of the region: defaults apply to every entry, the one
    of a workload left out (still deploying) and added later too, of which nothing is known;
    `number`: the project's, for a default compute account left unnamed (`account_line`);
    `history`: each workload's older revisions as listed, which tell a secret pasted in and
    a password renamed; `projects`: project ids by the numbers references name them with."""
    history = history or {}
    shown = project_names(projects or {}, project, number)
    held = credentials_held(services[n] for n in names)
    drafts = tuple(_service(services[n], number, history.get(n, ()), shown, held) for n in names)
    shared = _shared(drafts) if hoist else ()
    if shared:
        hoisted = {v.name for v in shared}
        drafts = tuple(
            replace(s, env=tuple(v for v in s.env if v.name not in hoisted)) for s in drafts
        )
    return Draft(environment, project, region, drafts, shared)


def drafted_from(live: LiveService) -> tuple[str, RevisionConfig]:
    """The revision taking most traffic (what `check` reads first) — on a tie (a 50/50
    rollout), the latest ready one, the release the rollout moves to, never whichever was
    listed first — else the template."""
    if live.kind is Kind.JOB:
        return "", live.template  # what its next execution runs
    if live.serving:
        top = max(r.percent for r in live.serving)
        tied = [r for r in live.serving if r.percent == top]
        chosen = next((r for r in tied if r.name == live.latest_ready), tied[0])
        return chosen.name, chosen.config
    return live.latest_ready or live.latest_created or "template", live.template


def rollout(live: LiveService, state: LiveState, project: str) -> str:
    """Why a profile drafted from `live` cannot check clean yet: revisions `drift check` reads
    (every one with traffic or instances, and each a tag reaches: `check_tags` is `all`
    unless said) whose configuration — as drift compares it, images aside (a gradual rollout
    of a new image is not drift: `RevisionConfig.fingerprint`; a secret's project named by id
    or by number is one: `same_configuration`) — is not the one described; "" when none."""
    if live.kind is Kind.JOB:
        return ""
    described, config = drafted_from(live)
    others = [
        r
        for r in live.checked
        if r.name != described and not same_configuration(config, r.config, state, project)
    ]
    if not others:
        return ""
    shown = ", ".join(
        f"{r.name} ({f'tag {r.tags[0]}' if r.tag_only and r.tags else f'{r.percent}%'})"
        for r in others
    )
    pool = live.kind is Kind.WORKER_POOL
    what = "run the pool's instances" if pool else "are reached"
    why = "instances moving to a new revision?" if pool else "a rollout in progress?"
    if untagged := all(r.tag_only for r in others):
        differ = sorted({d for r in others for d in differences(config, r.config, state, project)})
        why = "a tag at 0 % on another configuration" + (
            f": {visible(', '.join(differ))}" if differ else ""
        )
    return (
        f"{live.name}: {len(others) + 1} revisions {what} with different configurations "
        f"({why}): the profile describes {described}, and `drift check` will report {shown} "
        f"until they agree{_unchecked(live, {t for r in others for t in r.tags}) * untagged}"
    )


def _unchecked(live: LiveService, differ: set[str]) -> str:
    """How the profile leaves the revisions of the tags `differ` unchecked, when those are
    all that differ (an E2E tag on a test build: the team may mean it to): `check_tags` of
    the other tags, `none` when there is no other."""
    kept = [t for r in live.tagged for t in r.tags if t not in differ]
    # each tag as YAML reads it back: a tag named `null` or `true` is a string (helper-565 F3)
    said = f"[{', '.join(scalar(t, flow=True) for t in kept)}]" if kept else "none"
    return f", or while they are checked: `check_tags: {said}` in its entry leaves them out"


def _service(
    live: LiveService, number: str, older: Sequence[RevisionRecord], names: Mapping[str, str],
    held: redact.Secrets,
) -> ServiceDraft:  # fmt: skip
    revision, config = drafted_from(live)
    readers = secret_readers(config.containers)
    # another revision's secret pasted in here (`remember.inlined`), the newest named
    read = [(r.name, r.config.variables) for r in live.checked]
    for name, variables in [*read, *((r.name, r.variables) for r in reversed(older))]:
        for variable in referenced((variables,)):
            readers.setdefault(variable, f"revision {name}")
    moved = moved_in(older, live)  # a password renamed: not copied, as `check` masks it
    known = Known(readers, moved, names, held)
    main = _container(config.main, known)
    sidecars = tuple(
        (c.name, _container(c, known)) for c in config.containers if c.name != config.primary
    )
    return ServiceDraft(
        name=live.name,
        revision=revision,
        settings=tuple(
            settings_lines(
                config, read_conflicts(live.name, live.kind, in_all(config)), number, moved
            )
        ),
        env=main.env,
        container=config.container if len(config.containers) > 1 and config.container else None,
        mounts=main.mounts,
        sidecars=sidecars,
        tags=tuple(t for rev in live.tagged for t in rev.tags),
        kind=live.kind,
        serving=bool(live.serving),
        unnamed=main.unnamed + sum(c.unnamed for _, c in sidecars),
    )


def _container(container: ContainerConfig, known: Known) -> ContainerDraft:
    return ContainerDraft(
        settings=sidecar_settings(container, known.moved),
        env=tuple(
            _variable(var, known) for var in container.env.values() if not named_secret(var.name)
        ),
        unnamed=sum(1 for name in container.env if named_secret(name)),
        mounts=tuple(
            Variable(
                path,
                *_reference(mount.ref, known.projects, mount.mode),
                secret=not mount.ref.unread,
                unread=visible(mount.ref.unreadable),
            )
            for path, mount in sorted(container.mounts.items())
        ),
    )


def _reference(
    ref: SecretRef, projects: Mapping[str, str], mode: int = DEFAULT_FILE_MODE
) -> tuple[str, str]:
    """The line of a reference, and what to say of it: its project as init names it
    (`reference_project`)."""
    if ref.unread:  # never written as another secret (a profile refuses the form anyway)
        return "{required: true}", ""
    shown, said = reference_project(ref, projects)
    project = f", project: {scalar(shown, flow=True)}" if shown else ""
    version = scalar(ref.version, flow=True)
    bits = f', mode: "{shown_mode(mode)}"' if mode != DEFAULT_FILE_MODE else ""  # a file's
    line = f"{{secret: {scalar(ref.secret, flow=True)}{project}, version: {version}{bits}}}"
    return line, said


def _variable(var: EnvVar, known: Known) -> Variable:
    if var.ref is not None:
        unread = visible(var.ref.unreadable)  # required only: the reference is not written
        line, said = _reference(var.ref, known.projects)
        said = f"reference not written: {unread}" if unread else said
        return Variable(var.name, line, said, secret=not unread, unread=unread)
    value = var.value or ""  # as written: Cloud Run expands no `$(NAME)`
    withheld = known.why(var.name, value)
    if withheld:
        redact.register(value)
        return Variable(var.name, "{required: true}", not_copied(withheld), withheld=withheld)
    return Variable(var.name, scalar(value))


def _shared(services: tuple[ServiceDraft, ...]) -> tuple[Variable, ...]:
    """Variables set identically on every service (two or more): they go under defaults."""
    if len(services) < 2:
        return ()
    first, *rest = services
    others = [{v.name: v for v in s.env} for s in rest]
    return tuple(v for v in first.env if not v.withheld and all(o.get(v.name) == v for o in others))


def render(draft: Draft, *, schema: str, today: dt.date, left_out: tuple[str, ...] = ()) -> str:
    """The profile's text; `left_out`: the workloads of the region not described (still
    deploying), named in its head so that the file the team commits says what it misses."""
    env = draft.environment
    lines = [
        f"# yaml-language-server: $schema={schema}",
        "#",
        f"# {env}: written by `drift init {env} --from-live` on {today.isoformat()} from the",
        f"# services serving in {draft.where}. It states what runs now, which",
        "# is not always what should run: review it, tighten the rules (pattern, one_of,",
        "# same_as, forbidden) and fill in the probe blocks.",
    ]
    if left_out:
        lines += [
            "#",
            f"# Left out, still deploying when this was written: {', '.join(left_out)}.",
            "# Describe each once it has settled (drift init … --service NAME) and add it here.",
        ]
    lines += [
        f"project: {scalar(draft.project)}",
        f"region: {scalar(draft.region)}",
        "",
        "defaults:",
        "  unexpected_env: warn        # report live variables this profile does not name",
    ]
    if draft.shared:
        lines.append("  env:                        # set identically on every service")
        lines += _entries(draft.shared, indent=4)
    for kind in Kind:
        mine = [s for s in draft.services if s.kind is kind]
        if mine or kind is Kind.SERVICE:
            lines += ["", f"{kind.section}:" + ("" if mine else " {}")]
        for i, service in enumerate(mine):
            if i:
                lines.append("")
            lines += _service_lines(service, env)
    return "\n".join(lines) + "\n"


def _service_lines(service: ServiceDraft, env: str) -> list[str]:
    what = {
        Kind.SERVICE: ("" if service.serving else "no revision serves traffic: described from ")
        + f"{'serving ' * service.serving}revision {service.revision}",
        Kind.JOB: "its template: what its next execution runs",
        Kind.WORKER_POOL: f"revision {service.revision}",
    }[service.kind]
    lines = [f"  {scalar(service.name)}:  # {what}"]
    if service.tags:
        tags = ", ".join(service.tags)
        lines.append(
            f"    {comment(f'also reached at 0 % through tags {tags}: checked too (check_tags)')}"
        )
    if service.container:
        lines.append(f"    container: {scalar(service.container)}")
    if service.settings:
        lines.append("    settings:")
        lines += [f"      {s}" for s in service.settings]
    lines += _container_lines(ContainerDraft(service.env, service.mounts), indent=4)
    if service.sidecars:
        lines.append("    containers:                # the other containers (sidecars)")
        for name, sidecar in service.sidecars:
            lines.append(f"      {scalar(name)}:")
            said = _container_lines(sidecar, indent=8)
            lines += (
                said
                if any(not s.lstrip().startswith("#") for s in said)
                else [*said, " " * 8 + "{}"]
            )
    if service.kind is Kind.SERVICE:
        lines += [f"    {hint.format(env=env)}" for hint in _PROBE_HINT]
    return lines


def _container_lines(container: ContainerDraft, *, indent: int) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}settings:", *(f"{pad}  {s}" for s in container.settings)]
    if not any(not s.startswith("#") for s in container.settings):
        lines = [f"{pad}{s}" for s in container.settings]  # comments alone: no empty block
    if container.env:
        lines.append(f"{pad}env:")
        lines += _entries(container.env, indent=indent + 2)
    written = [m for m in container.mounts if not m.unread]
    if written:
        lines.append(f"{pad}mounts:")
        lines += _entries(written, indent=indent + 2)
    # a mount rule names its secret: one drift does not read is not written, and says why
    lines += [
        f"{pad}{comment(f'mount {m.name} not written: {m.unread}')}"
        for m in container.mounts
        if m.unread
    ]
    return lines


def _entries(variables: Sequence[Variable], *, indent: int) -> list[str]:
    pad = " " * indent
    return [line for var in variables for line in entry(pad, var.name, var.line, var.comment)]


def images_differ(live: LiveService) -> str:
    """What revisions alike in what a profile records (`rollout`) differ in: their images."""
    seen = [{c.name: c.image for c in r.config.containers} for r in live.serving]
    differ = sorted({n for one in seen for n in one if len({i.get(n) for i in seen}) > 1})
    if not differ:
        return ""
    shown = "; ".join(
        f"{r.name}: " + ", ".join(f"{n} {i.get(n) or '-'}" for n in differ)
        for r, i in zip(live.serving, seen, strict=True)
    )
    return f" in what this profile describes, not in their images ({shown})"
