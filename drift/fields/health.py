"""The rows of the settings catalogue for a container's health checks: its startup probe
(`Container.startup_probe`) and its liveness probe (`Container.liveness_probe`), google/cloud/run/v2
k8s.min.proto `Probe` (one of `http_get`, `tcp_socket`, `grpc`; `initial_delay_seconds`,
`timeout_seconds`, `period_seconds`, `failure_threshold`). A startup probe pointed at a path or a
port the app does not serve fails every new revision: `drift check --manifest` catches it
before the deploy.

A probe is one text a profile states and drift shows: `http /healthz port 8080`,
`tcp port 8080`, `grpc port 8080 service NAME`, or `none`, then any of `delay 10s`,
`timeout 1s`, `period 10s`, `failure 3`. The port is always named (a probe's port 0 is the
container's: HTTPGetAction.port, TCPSocketAction.port, GRPCAction.port "If not specified,
defaults to the exposed port of the container, which is the value of
container.ports[0].containerPort"; 8080 where the container declares none, the port Cloud Run
sends requests to by default). What a value read says holds every timing; a profile's compares
only those it states (the kind, path, port and gRPC service always), so `tcp port 8080` is the
service's default probe.

Defaults as documented: Probe "initial_delay_seconds … Defaults to 0", "timeout_seconds …
Defaults to 1 second", "period_seconds … Default to 10 seconds", "failure_threshold …
Defaults to 3"; HTTPGetAction.path "Defaults to '/'". A service with no startup probe gets
"The default TCP startup probe … tcpSocket: port: CONTAINER_PORT timeoutSeconds: 240
periodSeconds: 240 failureThreshold: 1" (cloud.google.com/run/docs/configuring/healthchecks):
drift reads a service's ingress container without one as that probe (a manifest leaves it
out), and `drift init` does not write it. Jobs have startup probes only
(run/docs/configuring/jobs/healthchecks), worker pools both (…/workerpools/healthchecks), no
default documented for either. Liveness probes are HTTP or gRPC ("HTTP and gRPC liveness
probes", every healthchecks page; gcloud's liveness keys have no tcpSocket).

An HTTP probe's headers (`HTTPGetAction.http_headers`) may carry a token. A profile states them
as `header NAME=VALUE` (`probe_text`): a line stating none compares none and a fix keeps them;
one stating any compares them all (a finding and a plan name those that differ) and a fix
writes them; `drift init` writes none, a comment names them (`probe_headers`). No output shows
a header's value: texts show `NAME=***` (`shown`), the YAML plan its name and `***` (the file
not appliable) unless `--include-plain-credentials` (`knative.conversion.Conversion.header`),
a template's differences only that it changed (`drift.diff.differences`); gcloud's flags have
no key for headers (`script_drops`, `_unprinted`). A token may be in its path
(`/healthz?token=…`) or a gRPC probe's service too: compared as they are, shown as every free
text is (`shown`: `credentials.masked_text`), and gcloud's script never prints one masked.
gcloud: `--startup-probe=httpGet.path=/healthz,httpGet.port=8080,periodSeconds=10` (the
container group of `gcloud run deploy` and `services update`; `--startup-probe=` removes one:
googlecloudsdk command_lib/run/flags.py `_ProbeFlag`); `gcloud run jobs|worker-pools update`
has no such flag (528)."""

from __future__ import annotations

import functools
from typing import Any

from drift.credentials import masked_text
from drift.delimiters import free_delimiter
from drift.fields import access as a
from drift.fields import probe_text
from drift.fields.base import (
    ANY_INDEX,
    EVERY_KIND,
    UNPRINTED,
    Field,
    PlannedSetting,
    SettingValue,
    Source,
    tf_container,
)
from drift.fields.defaulted import Defaulted
from drift.fields.health_rules import startup_refused, window_note
from drift.fields.ports import ingress
from drift.fields.probe_bounds import BOUNDS
from drift.fields.probe_text import (
    DEFAULT_STARTUP,
    DEFAULTS,
    PERIOD_RULE,
    TIMINGS,
    Check,
    live_check,
    merged_check,
    parse_check,
    period_below,
    port_of,
    read_check,
    same_check,
    shown,
    timed,
)
from drift.kinds import Kind

_GCLOUD = {"http": "httpGet", "tcp": "tcpSocket", "grpc": "grpc"}
PROBE_ROWS = ("startup_probe", "liveness_probe", "readiness_probe")


def _defaulted(source: Source) -> bool:
    """Whether Cloud Run gives this container the default TCP startup probe: a service's
    ingress container."""
    if source.kind is not Kind.SERVICE or source.container is None:
        return False
    return ingress(source.revision.containers) is source.container


def default_text(port: Any) -> str:
    """The default TCP startup probe on `port`, as read."""
    timings = {"delay": 0, **DEFAULT_STARTUP}
    return Check("tcp", port=int(port), timings=timings).text()


def is_default(value: SettingValue) -> bool:
    """Whether `value` (as read) is the default TCP startup probe, on any port."""
    words = str(value).split()
    return (
        len(words) > 2
        and words[2].isascii()
        and words[2].isdigit()
        and value == default_text(words[2])
    )


def _unsayable(part: str) -> Any:
    """`Field.unreadable`: a probe read whose text would not read back as itself (an HTTP path
    or gRPC service holding a space, a path not starting with `/`): not judged (exit 3),
    never an internal error."""

    def unreadable(source: Source) -> str:
        container = source.container
        if container is None or not container.HasField(part):
            return ""  # none, or the default probe: always said
        check = read_check(getattr(container, part), container)
        if (error := _reads_back(check.text())) is None:
            return ""
        return f"{part} is one drift cannot write as a probe's text: {_unsaid(check, error)}"

    return unreadable


@functools.lru_cache(maxsize=512)
def _reads_back(text: str) -> str | None:
    """Why a probe's text does not parse (None: it does), once per text: a history reads the
    same probe in every revision (20 services × 301 revisions: 6 % of `check` with `since`)."""
    try:
        parse_check(text)
    except ValueError as exc:
        return str(exc)
    return None


def _unsaid(check: Check, error: str) -> str:
    """Why `check` (read) has no text that reads back as itself, said from its parts, never
    by quoting the text (a path's token: `credentials.masked_text`, as `shown` masks it)."""
    for name, _ in check.headers:  # a value is said whatever it holds (`probe_text._quoted`)
        if not probe_text.TOKEN.fullmatch(name):
            return f"its header name `{masked_text(name)}` is no HTTP token (RFC 9110 §5.6.2)"
    for what, text in (("HTTP path", check.path), ("gRPC service", check.service)):
        if any(c.isspace() for c in text):
            return f"its {what} `{masked_text(text)}` holds whitespace"
    if check.kind == "http" and not check.path.startswith("/"):
        return f"its HTTP path `{masked_text(check.path)}` does not begin with /"
    return error  # the ports and timings only: no free text


def _reader(part: str) -> Any:
    def read(source: Source) -> str:
        container = source.container
        if container is not None and container.HasField(part):
            return read_check(getattr(container, part), container).text()
        if part == "startup_probe" and _defaulted(source):
            return Defaulted(default_text(port_of(container)))
        return ""

    return read


def _kept(probe: str) -> Any:
    """What a plan says of a probe it replaces that is Cloud Run's default (`Defaulted`), of
    the headers it changes (`probe_text.header_note`), and of the timings its `probe` leaves
    out (`_writer` keeps them); a readiness probe's delay, which it has none of, never
    (`BOUNDS`); and of a startup probe whose failure threshold times its period is over the
    older 240 s (`health_rules.window_note`)."""

    def note(change: PlannedSetting) -> str:
        after = parse_check(change.after)
        try:
            before = parse_check(change.before or "")
        except ValueError:  # not read (`Unread`): nothing to say of it
            return ""
        window = window_note(change.kind, after, before) if probe == "startup" else ""
        said = [_timings_kept(probe, after, before), window, probe_text.header_note(after, before)]
        if isinstance(change.before, Defaulted):  # none set: Cloud Run's default, replaced
            said.insert(0, f"none is set: the {probe} probe it replaces is Cloud Run's default")
        return "; ".join(s for s in said if s)

    return note


def _timings_kept(probe: str, after: Check, before: Check) -> str:
    left = [w for w, *_ in TIMINGS if w not in after.timings and BOUNDS[probe][w]]
    if not after.kind or not left:
        return ""
    if after.kind != before.kind:
        return f"the probe's {', '.join(left)} the profile leaves out: Cloud Run's defaults"
    kept = timed({w: before.timings[w] for w in left if w in before.timings})
    return "the probe's timings the profile leaves out stay as they are: " + " ".join(kept)


def _refused(part: str) -> Any:
    """`Field.unwritable`: why the probe `_writer` would make of `value` is one Cloud Run
    refuses ("": it takes it): a timing the profile leaves out is kept from the live probe
    (or is the proto's default, where the kind changes), and the period is then below the
    timeout (`PERIOD_RULE`: the default startup probe's timeout 240s beside a stated
    `period 5s`), or a startup probe's failure threshold times its period over its kind's
    bound, or a stated delay, period or timeout over its most (`health_rules.startup_refused`:
    a pool's live period 240s beside a stated `failure 3`). Taken out of the patch as a manual
    step (`drift.fix.proposed.unwritable_steps`), never written lower unsaid: a timing is the
    profile's to state."""

    def unwritable(workload: Any, container: Any, value: SettingValue) -> str:
        check = parse_check(value)
        if not check.kind or container is None:
            return ""
        before = live_check(container, part)
        merged = merged_check(check, before)
        words, over = (
            startup_refused(workload, check.timings, merged.timings, before.timings)
            if part == "startup_probe"
            else ((), "")
        )
        if period_below(merged.timings):
            words, why = ("timeout", "period"), f"{PERIOD_RULE}: not written; state the timeout"
            why += " and the period in the profile, the period at least the timeout"
        elif over:
            why = over
        else:
            return ""
        whence = "kept from the live probe" if before.kind == check.kind else "Cloud Run's default"
        left = [
            f"{w} {merged.timings.get(w, DEFAULTS[w])}{'' if w == 'failure' else 's'} {whence}"
            for w in words
            if w not in check.timings
        ]
        said = f"container {container.name}'s {part.replace('_', ' ')} {shown(value)}"
        return (
            f"{said} would run with {' and '.join(left)}, and {why}" if left else f"{said}: {why}"
        )

    return unwritable


def _writer(part: str) -> Any:
    def write(workload: Any, container: Any, value: SettingValue) -> None:
        run_v2 = a.run_v2()
        check = parse_check(value)
        if not check.kind:
            setattr(container, part, None)
            return
        old = getattr(container, part) if part in container else None
        before = live_check(container, part)
        probe = run_v2.Probe()
        for word, name, _, _ in TIMINGS:  # those it leaves out as they are, where it keeps the kind
            kept = getattr(old, name) if old is not None and before.kind == check.kind else 0
            setattr(probe, name, check.timings.get(word, kept))
        if check.kind == "http":
            headers = [run_v2.HTTPHeader(name=n, value=v) for n, v in check.headers]
            if not headers and old is not None and before.kind == "http":
                headers = list(old.http_get.http_headers)  # stated none: kept as they are
            probe.http_get = run_v2.HTTPGetAction(
                path=check.path, port=check.port, http_headers=headers
            )
        elif check.kind == "tcp":
            probe.tcp_socket = run_v2.TCPSocketAction(port=check.port)
        else:
            probe.grpc = run_v2.GRPCAction(port=check.port, service=check.service)
        setattr(container, part, probe)

    return write


def _keyed(kind: str, word: str, check: Check) -> bool:
    """Whether gcloud's `--KIND-probe` says `word` of `check`: a timing it states, where the
    flag has a key for it (`--readiness-probe` has no initialDelaySeconds: `BOUNDS`)."""
    return word in check.timings and BOUNDS[kind][word] is not None


def _flag(kind: str) -> Any:
    def flag(value: SettingValue, before: SettingValue | None = None) -> str:
        check = parse_check(value)
        if not check.kind:
            return f"--{kind}-probe="
        if before:
            check = merged_check(check, parse_check(before))
        key = _GCLOUD[check.kind]
        keys = [f"{key}.path={check.path}"] if check.kind == "http" else []
        keys.append(f"{key}.port={check.port}")
        if check.service:
            keys.append(f"grpc.service={check.service}")
        keys += [f"{g}={check.timings[w]}" for w, _, g, _ in TIMINGS if _keyed(kind, w, check)]
        # an ArgDict: a path or service holding a comma takes `^D^` (`gcloud topic escaping`)
        delim = free_delimiter(keys) or ","
        return f"--{kind}-probe=" + ("" if delim == "," else f"^{delim}^") + delim.join(keys)

    return flag


def script_drops(name: str, live: Any, container: str, after: SettingValue) -> str:
    """Why gcloud's `--startup-probe`, `--liveness-probe` or `--readiness-probe` for `after`
    would change more than the plan names ("": it would not; `drift.fix.formats.gcloud` leaves
    such a change to drift fix): the flag builds a new probe from its keys alone (gcloud 528
    command_lib/run/config_changes.py `_MakeProbe`), and none says an HTTP probe's headers
    (flags.py `_SUPPORTED_STARTUP_PROBE_KEYS`, `_SUPPORTED_LIVENESS_PROBE_KEYS`,
    `_SUPPORTED_READINESS_PROBE_KEYS`), which `_writer` keeps where the probe stays HTTP; nor
    does `--readiness-probe` say an initial delay, which `_writer` keeps where the probe keeps
    its kind. Every other part of a probe (`TIMINGS`, the action's port, path, gRPC service)
    the flag states. `live`: the run_v2 workload read (None: not read); `container`: the one
    the change is of ("": the ingress container)."""
    if name not in PROBE_ROWS or live is None:
        return ""
    containers = a.template_of(live).containers
    named = (c for c in containers if c.name == container)
    held = next(named, None) if container else ingress(containers)
    kind = parse_check(after).kind
    if held is None or name not in held or not kind:
        return ""
    probe, word = getattr(held, name), name.split("_")[0]
    same = live_check(held, name).kind == kind
    if BOUNDS[word]["delay"] is None and probe.initial_delay_seconds and same:
        return (
            f"cannot keep the initial delay the {word} probe has (--{word}-probe builds a new "
            "probe, and no key of it says one)"
        )
    if kind != "http" or "http_get" not in probe or not len(probe.http_get.http_headers):
        return ""
    return (
        f"cannot keep the HTTP headers the {name.replace('_', ' ')} sends (--"
        f"{word}-probe builds a new probe, and no key of it says headers)"
    )


def _unprinted(kind: Kind, value: SettingValue) -> str:
    """Why gcloud's script leaves the change to drift fix ("": its flag says it): the value
    is shown masked (`shown`), so the flag would print what no output shows."""
    try:
        plain = parse_check(value).text() or "none"
    except ValueError:
        return UNPRINTED
    return UNPRINTED if shown(value) != plain else ""


def probe_row(name: str, help: str, kinds: frozenset[Kind], example: str) -> Field:
    """The row of the probe `name` (one of `PROBE_ROWS`) on `kinds`."""
    word = name.split("_")[0]
    flag = _flag(word)

    def parse(value: Any) -> str:
        return parse_check(value, probe=word).text()

    return Field(
        name,
        help,
        str,
        level="container",
        terraform=(tf_container(name), tf_container("ports", ANY_INDEX, "container_port")),
        read=_reader(name),
        unreadable=_unsayable(name),
        write=_writer(name),
        unwritable=_refused(name),
        gcloud=flag,
        gcloud_args=lambda after, before: ((flag(after, before), "primary"),),
        per_container=True,
        parse=a.scalar(parse),
        normalise=lambda v: parse_check(v).text(),
        equivalent=same_check,
        plan_note=_kept(word),
        show=shown,
        hides=shown,
        no_flag=_unprinted,
        examples=(example,),
        kinds=kinds,
        # gcloud 528 has --startup-probe / --liveness-probe (--readiness-probe: alpha's, `drift.
        # fix.commands.ALPHA_SERVICE_FLAGS`) for services only
        flagless=kinds - {Kind.SERVICE},
        sparse=True,  # a row of 2026-12: the journals written before digest none of it
        moot=lambda settings: settings.get(name) == default_text(settings.get("port", 8080)),
        unset_too=is_default,
    )


HEALTH_FIELDS: tuple[Field, ...] = (
    probe_row(
        "startup_probe",
        "The container's startup probe: http PATH port N, tcp port N or grpc port N [service "
        "NAME], then any of delay/timeout/period Ns, failure N (compared where stated); a "
        "service's ingress container without one: Cloud Run's `tcp port PORT timeout 240s "
        "period 240s failure 1`.",
        EVERY_KIND,
        "http /healthz port 8080",
    ),
    probe_row(
        "liveness_probe",
        "The container's liveness probe: http PATH port N or grpc port N [service NAME], then "
        "any of delay/timeout/period Ns, failure N (compared where stated); none: no probe.",
        frozenset({Kind.SERVICE, Kind.WORKER_POOL}),
        "http /healthz port 8080",
    ),
)
