"""`drift init ENV --from-live`: write a starting profile from what the live services serve with
(plain values copied, secrets as references, credential-looking plain values withheld)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args, get_origin

from drift import redact
from drift.errors import ExitCode, IncompleteRead, UsageError
from drift.fields import DEFAULT_SERVICE_ACCOUNT, FIELDS, text
from drift.findings import Location
from drift.live.calls import CallRunner
from drift.live.model import EnvVar, LiveService, LiveState, RevisionConfig
from drift.onboarding.yamltext import scalar
from drift.profiles.model import Profile, ServiceProfile
from drift.profiles.spec import SCHEMA_URL
from drift.settings import Settings
from drift.textsafe import plural
from drift.yamlfile import display_path

SCHEMA_FILE = "profile.schema.json"
_LIVE = Location("<live>", 1)
_PROBE_HINT = (
    "# probe:                   # fill in, then `drift probe {env}` or `drift check {env} --probe`",
    "#   websocket: /ws         # path of the WebSocket endpoint on the service URL",
    '#   subprotocols: ["jwt.${{TEST_JWT}}"]   # ${{VAR}} is read from the runner\'s environment',
    "#   headers: {{X-Test-Type: e2e}}",
    "#   hold: 2s               # the socket must stay open this long",
)


@dataclass(frozen=True)
class Variable:
    """One live variable as the profile will state it."""

    name: str
    line: str  # the YAML value (after `NAME: `)
    comment: str = ""
    secret: bool = False
    withheld: bool = False


@dataclass(frozen=True)
class ServiceDraft:
    name: str
    revision: str
    settings: tuple[str, ...]  # `key: value` lines (or `# ...` comments)
    env: tuple[Variable, ...]
    container: str | None = None


@dataclass(frozen=True)
class Draft:
    environment: str
    project: str
    region: str
    services: tuple[ServiceDraft, ...]
    shared: tuple[Variable, ...] = ()  # identical on every service: written under defaults

    @property
    def variables(self) -> list[tuple[str, Variable]]:
        every = [(s.name, v) for s in self.services for v in s.env]
        return every + [(s.name, v) for s in self.services for v in self.shared]


@dataclass(frozen=True)
class InitResult:
    path: Path
    environment: str
    project: str
    region: str
    services: tuple[str, ...]
    variables: int
    secrets: int
    withheld: tuple[str, ...]  # `service.VAR` of credential-looking plain values left out
    notes: tuple[str, ...] = field(default_factory=tuple)

    exit_code = ExitCode.OK
    """A profile was written (every other outcome is an error)."""

    def summary(self) -> str:
        lines = [
            f"wrote {display_path(self.path)}: {plural(len(self.services), 'service')} "
            f"({', '.join(self.services)}) from {self.project}/{self.region}, "
            f"{plural(self.variables, 'variable')} "
            f"({plural(self.secrets, 'secret reference')})"
        ]
        if self.withheld:
            lines.append(
                "not copied (plain values that look like credentials; move them to Secret "
                f"Manager): {', '.join(self.withheld)}"
            )
        lines += [f"note: {note}" for note in self.notes]
        lines.append(
            f"next: review it, fill in the probe blocks, then `drift check {self.environment}`"
        )
        return "\n".join(lines)


async def init_from_live(
    environment: str,
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    force: bool = False,
    runner: CallRunner | None = None,
    today: dt.date | None = None,
) -> InitResult:
    """Read the live services and write `profiles/ENV.yaml`; refuse to overwrite unless
    `force`. Nothing is written when a service cannot be read."""
    from drift.live.session import Session
    from drift.profiles.loader import profile_path

    directory = settings.profiles_dir
    path = profile_path(directory, environment)
    _refuse_overwrite(path, force)
    project, region = settings.project, settings.region
    if not project or not region:
        raise UsageError(
            "init needs the project and region to read: pass --project and --region "
            "(or set DRIFT_PROJECT and DRIFT_REGION)"
        )
    names = list(dict.fromkeys(services or ()))
    async with Session(settings.access(), runner) as session:
        if not names:
            names = sorted(await session.list_services(project, region))
            if not names:
                raise UsageError(
                    f"no Cloud Run services in {project}/{region}: nothing to describe"
                )
        probe = Profile(
            environment,
            project,
            region,
            _LIVE,
            services={n: ServiceProfile(n, _LIVE) for n in names},
        )
        state = await session.read(probe, names)
    _require_all_read(state, names, project, region)
    draft = build_draft(environment, project, region, names, state)
    local_schema = (directory / SCHEMA_FILE).is_file()
    schema = f"./{SCHEMA_FILE}" if local_schema else SCHEMA_URL
    text = render(draft, schema=schema, today=today or dt.date.today())
    written = _write(directory, environment, text, force=force)
    notes = _notes(draft, written, names, state, today or dt.date.today())
    if not local_schema:
        notes += (
            f"for editors, `drift profiles schema > {display_path(directory / SCHEMA_FILE)}` "
            f"and point $schema at ./{SCHEMA_FILE}",
        )
    return InitResult(
        path=path,
        environment=environment,
        project=project,
        region=region,
        services=tuple(names),
        variables=len(draft.variables),
        secrets=sum(v.secret for _, v in draft.variables),
        withheld=tuple(f"{s}.{v.name}" for s, v in draft.variables if v.withheld),
        notes=notes,
    )


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise UsageError(
            f"{display_path(path)} already exists; nothing was written",
            hint="pass --force to overwrite it, or choose another environment name",
        )


def _require_all_read(state: LiveState, names: list[str], project: str, region: str) -> None:
    missing = [n for n in names if n in state.missing]
    if missing:
        raise UsageError(
            f"no service {', '.join(missing)} in {project}/{region}: nothing was written"
        )
    unread = [n for n in names if n not in state.services]
    if unread:
        reasons = sorted({u.reason for u in state.unverified if u.service in unread})
        raise IncompleteRead(
            f"could not read {', '.join(unread)}: nothing was written"
            + "".join(f"\n  {r}" for r in reasons)
        )


# -- what the profile states --------------------------------------------------------------


def build_draft(
    environment: str, project: str, region: str, names: list[str], state: LiveState
) -> Draft:
    services = tuple(_service(state.services[n], state) for n in names)
    shared = _shared(services)
    if shared:
        hoisted = {v.name for v in shared}
        services = tuple(
            ServiceDraft(
                s.name,
                s.revision,
                s.settings,
                tuple(v for v in s.env if v.name not in hoisted),
                s.container,
            )
            for s in services
        )
    return Draft(environment, project, region, services, shared)


def _primary(live: LiveService) -> tuple[str, RevisionConfig]:
    """The revision taking most traffic (what `check` reads first), else the template."""
    if live.serving:
        return live.serving[0].name, live.serving[0].config
    return live.latest_ready or live.latest_created or "template", live.template


def _service(live: LiveService, state: LiveState) -> ServiceDraft:
    revision, config = _primary(live)
    containers = len(config.containers)
    return ServiceDraft(
        name=live.name,
        revision=revision,
        settings=tuple(_settings(config)),
        env=tuple(_variable(var) for var in config.env.values()),
        container=config.container if containers > 1 and config.container else None,
    )


def _variable(var: EnvVar) -> Variable:
    if var.ref is not None:
        version = scalar(var.ref.version, flow=True)
        return Variable(
            var.name,
            f"{{secret: {scalar(var.ref.secret, flow=True)}, version: {version}}}",
            secret=True,
        )
    value = var.value or ""
    if redact.looks_like_credential(var.name, value):
        redact.register(value)
        return Variable(
            var.name,
            "{required: true}",
            "looks like a credential, not copied: move it to Secret Manager",
            withheld=True,
        )
    return Variable(var.name, scalar(value))


def _shared(services: tuple[ServiceDraft, ...]) -> tuple[Variable, ...]:
    """Variables set identically on every service (two or more): they go under defaults."""
    if len(services) < 2:
        return ()
    first, *rest = services
    others = [{v.name: v for v in s.env} for s in rest]
    return tuple(v for v in first.env if not v.withheld and all(o.get(v.name) == v for o in others))


def _settings(config: RevisionConfig) -> list[str]:
    lines: list[str] = []
    for name, spec in FIELDS.items():
        value = config.settings.get(name)
        if value is None or value == "":
            continue
        if name == "service_account":
            if value == DEFAULT_SERVICE_ACCOUNT:
                lines.append("# service_account: the default compute service account")
                continue
            value = config.service_account or value
        choices = get_args(spec.annotation) if get_origin(spec.annotation) is Literal else ()
        if choices and value not in choices:
            if name == "ingress":
                lines.append(f"# ingress: {value} (a profile cannot state it)")
            continue
        shown = text(value) if isinstance(value, bool | int) else scalar(spec.show(value))
        lines.append(f"{name}: {shown}")
    return lines


# -- the file ------------------------------------------------------------------------------


def render(draft: Draft, *, schema: str, today: dt.date) -> str:
    env = draft.environment
    lines = [
        f"# yaml-language-server: $schema={schema}",
        "#",
        f"# {env}: written by `drift init {env} --from-live` on {today.isoformat()} from the",
        f"# services serving in {draft.project}/{draft.region}. It states what runs now, which",
        "# is not always what should run: review it, tighten the rules (pattern, one_of,",
        "# same_as, forbidden) and fill in the probe blocks.",
        f"project: {scalar(draft.project)}",
        f"region: {scalar(draft.region)}",
        "",
        "defaults:",
        "  unexpected_env: warn        # report live variables this profile does not name",
    ]
    if draft.shared:
        lines.append("  env:                        # set identically on every service")
        lines += _env_lines(draft.shared, indent=4)
    lines += ["", "services:"]
    for i, service in enumerate(draft.services):
        if i:
            lines.append("")
        lines.append(f"  {scalar(service.name)}:  # serving revision {service.revision}")
        if service.container:
            lines.append(f"    container: {scalar(service.container)}")
        if service.settings:
            lines.append("    settings:")
            lines += [f"      {s}" for s in service.settings]
        if service.env:
            lines.append("    env:")
            lines += _env_lines(service.env, indent=6)
        lines += [f"    {hint.format(env=env)}" for hint in _PROBE_HINT]
    return "\n".join(lines) + "\n"


def _env_lines(variables: Sequence[Variable], *, indent: int) -> list[str]:
    pad = " " * indent
    out = []
    for var in variables:
        line = f"{pad}{scalar(var.name)}: {var.line}"
        out.append(f"{line}  # {var.comment}" if var.comment else line)
    return out


def _write(directory: Path, environment: str, text: str, *, force: bool) -> Profile:
    """Validate the text as a profile, then move it into place; return the loaded profile."""
    from drift.profiles import load_profile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=directory, prefix=".drift-init-") as tmp:
            staged = Path(tmp) / f"{environment}.yaml"
            staged.write_text(text, encoding="utf-8")
            loaded = load_profile(Path(tmp), environment)
            target = directory / f"{environment}.yaml"
            _refuse_overwrite(target, force)
            os.replace(staged, target)
    except OSError as exc:
        raise UsageError(
            f"cannot write {display_path(directory / f'{environment}.yaml')}: {exc.strerror or exc}"
        ) from exc
    return loaded


def _notes(
    draft: Draft, profile: Profile, names: list[str], state: LiveState, today: dt.date
) -> tuple[str, ...]:
    """What `drift check` will already report against the written profile (broken secrets,
    unfinished rollouts, credentials in plain text): the live state, not the profile."""
    from drift.diff import diff

    notes = []
    for live in state.services.values():
        if len(live.serving) > 1:
            primary = live.serving[0]
            notes.append(
                f"{live.name}: {len(live.serving)} revisions serve traffic; the profile "
                f"describes {primary.name} ({primary.percent}%)"
            )
    withheld = {(s, f"env.{v.name}") for s, v in draft.variables if v.withheld}
    findings = [
        f
        for f in diff(profile, names, state, today)
        if f.counted and (f.service, f.target) not in withheld
    ]
    notes += [f"{f.service}: {f.rule} {f.target}: {f.message}" for f in findings]
    return tuple(notes)
