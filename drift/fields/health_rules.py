"""What the probe rows (`drift.fields.health`) say beside the rest of a workload's settings:
refusals and notes when a profile loads (`drift.profiles.build`), and a plan's note on the
workload a fix would write (`drift.fix.plan`).

- A service's ingress container always runs a startup probe: "A TCP startup probe is
  automatically configured for a new Cloud Run service with default values … equivalent to
  … tcpSocket: port: CONTAINER_PORT timeoutSeconds: 240 periodSeconds: 240
  failureThreshold: 1" (cloud.google.com/run/docs/configuring/healthchecks, "The default TCP
  startup probe"), and drift reads one without its own as that probe. So a service's
  `startup_probe: none` could never be what runs: a check would report it forever and a fix
  would write what Cloud Run gives the default again. Where the profile describes the ingress
  container (no `container: NAME`), the line is refused, naming the default to state instead;
  where it names a container, which may be a sidecar (which gets no default), it is a note.
- An HTTP probe beside end-to-end HTTP/2: "Note that using an HTTP health check probe requires
  you to create a corresponding HTTP healthcheck endpoint in your service to respond to the
  probe. Also, your service must use HTTP/1 (the Cloud Run default), not HTTP/2" (the same
  page, "Configure an HTTP startup probe"; of a readiness probe, "Add an HTTP/1 endpoint (the
  Cloud Run default, not HTTP/2)"). Cloud Run does not document refusing the pair, so
  it is said, never refused: a note where a profile states both, and a plan's note where the
  workload a fix writes has both on its ingress container (`h2c_note`).
- A probe on the port a plan moves: gcloud's `--port`, as `drift fix` (`drift.fields.ports`),
  moves a TCP startup probe on the old port with it (command_lib/run/config_changes.py
  `ContainerPortChange`); a probe whose port is 0 is the container's, so it follows; an HTTP
  or gRPC probe (startup, liveness or readiness) on the old port by number stays there, and so
  does one the profile states there. The plan says, of each probe of the ingress container on
  the old port, where the workload the fix writes has it (`port_note`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from drift.fields import access as a
from drift.fields.base import SettingValue, Stated
from drift.fields.cpu_memory import OTHERS
from drift.fields.gpu_floor import has_gpu
from drift.fields.liveness_bounds import liveness_rules
from drift.fields.ports import DEFAULT_PORT, H2C, ingress
from drift.fields.probe_bounds import (
    JOB_WINDOW_S,
    OLDER_WINDOW_S,
    STARTUP_RULES,
    WINDOW_RULES,
    startup_most,
    window_bound,
)
from drift.fields.probe_text import (
    DEFAULT_STARTUP,
    DEFAULTS,
    Check,
    live_check,
    merged_check,
    parse_check,
    shown,
    window,
)
from drift.kinds import Kind

PAGE = "cloud.google.com/run/docs/configuring/healthchecks"
HTTP1 = (
    "Cloud Run's HTTP probes need HTTP/1: \"your service must use HTTP/1 (the Cloud Run "
    f'default), not HTTP/2" ({PAGE}); the probe may fail every new revision: use a tcp or grpc '
    "probe, or http2: false"
)
PROBES = ("startup_probe", "liveness_probe", "readiness_probe")


def default_probe(port: SettingValue | None) -> str:
    """The default TCP startup probe as a profile states it, on `port` (None: not stated)."""
    shown = "PORT" if port is None else str(port)
    timeout, period, failure = (DEFAULT_STARTUP[k] for k in ("timeout", "period", "failure"))
    return f"tcp port {shown} timeout {timeout}s period {period}s failure {failure}"


def probe_rules(
    service: str,
    kind: Kind,
    container: str | None,
    stated: Stated,
    sidecars: Mapping[str, Stated] | None = None,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(refused, noted): what a workload's profile states of its probes that Cloud Run never
    runs, or says may fail, given the rest it states: (setting, message) each. `container`:
    the one the profile describes (None: the ingress container); `sidecars`: what it states
    under `containers:`, each container's by name."""
    refused, noted = window_rules(service, kind, stated, sidecars or {})
    refused += startup_rules(service, kind, stated, sidecars or {})
    noted += liveness_rules(service, kind, stated, sidecars or {})
    if kind is not Kind.SERVICE:
        return refused, noted
    if "startup_probe" in stated and not stated["startup_probe"][0]:
        port = stated["port"][0] if "port" in stated else None
        said = (
            f"Cloud Run gives a service's ingress container its default TCP startup probe, "
            f"`{default_probe(port)}`{' (PORT: its port)' if port is None else ''}, when none "
            f'is set ({PAGE}, "The default TCP startup probe")'
        )
        if container is None:
            refused.append(
                (
                    "startup_probe",
                    f"{service}: startup_probe none is never what a service runs: "
                    f"{said}; state that probe or another, or leave the line out",
                )
            )
        else:
            noted.append(
                (
                    "startup_probe",
                    f"{service}: startup_probe none: if container {container} is the "
                    f"one requests reach, {said}, so none is never what it runs",
                )
            )
    if stated.get("http2", (False, ""))[0] is True:
        for name in PROBES:
            if name in stated and parse_check(stated[name][0]).kind == "http":
                value, http2 = shown(stated[name][0]), stated["http2"][1]  # a path's token
                noted.append(
                    (
                        name,
                        f"{service}: {name} {value} beside http2: true ({http2}): " + HTTP1,
                    )
                )
    return refused, noted


def window_rules(
    service: str, kind: Kind, stated: Stated, sidecars: Mapping[str, Stated]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(refused, noted): a startup probe stating both its period and its failure threshold,
    the workload's own (`startup_probe`) or a sidecar's (`containers.NAME.startup_probe`, as
    `build._located` finds it), whose product is over the kind's bound (`window_bound`; a job's
    or service's GPU as the profile's `gpu_type` says, unstated: the larger), or, a job's or
    worker pool's, over the older 240 s within it: (setting, message) each, a note, never
    refused (helper-794 A4): the pages bound that time but none says Cloud Run refuses a probe
    over it, and a live workload may run one (a service Cloud Run made with 240 s × 3), so a
    profile stating what runs still loads and is checked. The fix writes none over the bound
    the workload does not already run (`window_refused`, `drift.fix.startup_bounds`). One
    stating either alone is judged with the other as the fix would write it
    (`health._refused`)."""
    gpu = bool(stated["gpu_type"][0]) if "gpu_type" in stated else None
    bound = window_bound(kind, gpu)
    refused: list[tuple[str, str]] = []  # none: helper-794 A4
    noted: list[tuple[str, str]] = []
    for name, its in {"": stated, **sidecars}.items():
        value = its.get("startup_probe", ("", ""))[0]
        timings = parse_check(value).timings
        if not {"period", "failure"} <= timings.keys() or window(timings) <= OLDER_WINDOW_S:
            continue
        key = f"{OTHERS}{name}.startup_probe" if name else "startup_probe"
        whose = f"container {name}'s " if name else ""
        said = f"{service}: {whose}startup_probe {shown(value)}: its failure threshold times "
        said += f"its period is {window(timings)} s, over "
        if window(timings) > bound:
            said += f"{bound} s: {WINDOW_RULES[kind]}; no page says Cloud Run refuses a longer "
            noted.append((key, said + "one; drift fix writes one only where it runs already"))
            continue
        if kind is Kind.SERVICE:  # no older copy of the services' page gave one
            continue
        said += f"{OLDER_WINDOW_S} s, the bound older copies of the page gave; the newest: "
        said += WINDOW_RULES[kind]
        if gpu is None and window(timings) > JOB_WINDOW_S:
            said += f"; over {JOB_WINDOW_S} s for a job with a GPU only, which the profile "
            said += "does not state (gpu_type): drift fix makes it a manual step on one without"
        noted.append((key, said))
    return refused, noted


def _over_most(kind: Kind, gpu: bool | None, timings: dict[str, int]) -> str:
    """The first of a startup probe's stated delay, period and timeout over its kind's most
    (`startup_most`), as `word Ns over M s: RULE` ("": none)."""
    most = startup_most(kind, gpu)
    for word in ("delay", "period", "timeout"):
        if timings.get(word, 0) > most:
            rule = STARTUP_RULES[Kind.SERVICE if kind is Kind.SERVICE else Kind.JOB]
            gpuless = " (it has no GPU)" if kind is Kind.SERVICE and gpu is False else ""
            return f"its {word} {timings[word]}s is over {most} s{gpuless}: {rule}"
    return ""


def startup_rules(
    service: str, kind: Kind, stated: Stated, sidecars: Mapping[str, Stated]
) -> list[tuple[str, str]]:
    """A startup probe, the workload's own or a sidecar's, stating a delay, period or timeout
    over its kind's most (`startup_most`; a service's GPU as the profile's `gpu_type` says,
    unstated: the larger, 1800 s), refused at its line: (setting, message) each."""
    gpu = bool(stated["gpu_type"][0]) if "gpu_type" in stated else None
    refused = []
    for name, its in {"": stated, **sidecars}.items():
        value = its.get("startup_probe", ("", ""))[0]
        if over := _over_most(kind, gpu, parse_check(value).timings):
            whose = f"container {name}'s " if name else ""
            key = f"{OTHERS}{name}.startup_probe" if name else "startup_probe"
            said = f"{service}: {whose}startup_probe {shown(value)}: {over}"
            refused.append((key, f"{said}; state a shorter one"))
    return refused


def startup_refused(
    workload: Any, stated: Iterable[str], timings: dict[str, int], live: dict[str, int]
) -> tuple[tuple[str, ...], str]:
    """Why a fix does not write a (run_v2) workload's startup probe of these `timings`, of which
    the profile states `stated`, with the timings the reason is of: a stated delay, period or
    timeout over its kind's most (`startup_most`, the GPU as `workload`, the one the plan
    writes, has it: helper-794 A1), or its failure threshold times its period over its bound
    where it states either and it is not the live probe's (`live`: its timings, `{}`: none)
    (`window_refused`); "": neither."""
    kind = _kind_of(workload)
    said = {w: timings[w] for w in set(stated) & {"delay", "period", "timeout"} if w in timings}
    if over := _over_most(kind, has_gpu(a.template_of(workload)), said):
        return (), f"{over}: not written; state a shorter one in the profile"
    kept = live and window(live) == window(timings)  # what runs, left as it is (helper-794 A4)
    window_ = window_refused(workload, timings) if {"period", "failure"} & set(stated) else ""
    return ("period", "failure"), "" if kept else window_


def _kind_of(workload: Any) -> Kind:
    """A (run_v2) workload's kind."""
    run_v2 = a.run_v2()
    if isinstance(workload, run_v2.WorkerPool):
        return Kind.WORKER_POOL
    return Kind.JOB if isinstance(workload, run_v2.Job) else Kind.SERVICE


def window_note(kind: Kind, after: Check, before: Check) -> str:
    """What a plan writing the startup probe `after` (over `before`, the live one) says of its
    failure threshold times its period where the profile states either and it is over the
    older 240 s (`OLDER_WINDOW_S`) within its kind's bound: a service's (Cloud Run's default
    probe's period 240s beside `failure 2`, 480 s) or a job's (over it, as a worker pool's over
    240 s, the fix does not write it: `window_refused`)."""
    stated = {"period", "failure"} & after.timings.keys()
    if kind is Kind.WORKER_POOL or not after.kind or not stated:
        return ""
    timings = merged_check(after, before).timings if after.kind == before.kind else after.timings
    if (whole := window(timings)) <= OLDER_WINDOW_S:
        return ""
    said = f"the probe then gives the container {whole} s to start (failure "
    said += f"{timings.get('failure', DEFAULTS['failure'])} × period "
    said += f"{timings.get('period', DEFAULTS['period'])}s)"
    if kind is Kind.JOB:
        said += f", over {OLDER_WINDOW_S} s, the bound older copies of the page gave; the newest: "
        said += WINDOW_RULES[kind]
    return said


def window_refused(workload: Any, timings: dict[str, int]) -> str:
    """Why a (run_v2) workload's startup probe of these `timings` is one the fix does not write:
    its failure threshold times its period over the kind's bound (`window_bound`, a job's or
    service's GPU as the template the fix writes has it), the rule and the bound ("": within
    it)."""
    kind = _kind_of(workload)
    gpu = has_gpu(a.template_of(workload)) if kind is not Kind.WORKER_POOL else None
    bound = window_bound(kind, gpu)
    if window(timings) <= bound:
        return ""
    why = f"{WINDOW_RULES[kind]}: not written; state the period and the failure threshold"
    return why + f" in the profile, at most {bound} s in all"


def h2c_probes(workload: Any) -> list[str]:
    """The HTTP probes of a (run_v2) service's ingress container when its port is h2c."""
    found = ingress(a.template_of(workload).containers)
    if found is None or not len(found.ports) or found.ports[0].name != H2C:
        return []
    return [n for n in PROBES if n in found and "http_get" in getattr(found, n)]


def h2c_note(kind: Kind, workload: Any, changed: Iterable[str]) -> str:
    """What a plan says of the (run_v2) workload a fix writes whose ingress container would
    have an HTTP probe beside end-to-end HTTP/2, where the plan changes `http2` or a probe
    (`changed`: its setting changes, by name; "": nothing to say)."""
    if kind is not Kind.SERVICE or not {"http2", *PROBES} & set(changed):
        return ""
    probes = h2c_probes(workload)
    if not probes:
        return ""
    names = " and ".join(p.replace("_", " ") for p in probes)
    return f"after the fix, the ingress container has an HTTP {names} beside http2: true: {HTTP1}"


_KINDS = {"http": "HTTP", "tcp": "TCP", "grpc": "gRPC"}


def _port(container: Any) -> int:
    ports = container.ports
    return int(ports[0].container_port) if len(ports) and ports[0].container_port else DEFAULT_PORT


def port_note(kind: Kind, before: Any, after: Any, changed: Iterable[str]) -> str:
    """What a plan changing a service's port says of each probe of its ingress container on
    the old port: where the workload the fix writes has it (`before`: the template the fix
    builds on; `after`: the run_v2 workload it writes; `changed`: the plan's setting changes,
    by name; "": nothing to say)."""
    changed = set(changed)
    was, now = ingress(before.containers), ingress(a.template_of(after).containers)
    if kind is not Kind.SERVICE or "port" not in changed or was is None or now is None:
        return ""
    old, new = _port(was), _port(now)
    said = []
    for name in PROBES if old != new else ():
        probe, then = live_check(was, name), live_check(now, name)
        if not probe.kind or probe.port != old:
            continue
        what = f"the {_KINDS[probe.kind]} {name.replace('_', ' ')} on port {old}"
        stated = name in changed
        if then.kind and then.port == new:
            said.append(f"{what} moves to {new} with it")
        elif then.kind and then.port == old:
            why = (
                "as the profile states"
                if stated
                else "as gcloud's --port leaves it (it moves a TCP startup probe only): state "
                f"the probe on port {new} to move it"
            )
            said.append(f"{what} stays on port {old}, not the port requests reach ({new}), {why}")
        else:
            where = f"on port {then.port}" if then.kind else "removed"
            said.append(f"{what} is {where}, as the profile states")
    return "; ".join(said)
