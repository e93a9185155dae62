"""`revision.rollout`: the latest created revision is not ready, or what serves differs from
the service template, or nothing serves."""

from __future__ import annotations

from collections.abc import Iterator

from deepdiff import DeepDiff

from drift.diff.context import Context
from drift.findings import Finding, Severity
from drift.live.normalize import config_fingerprint
from drift.textsafe import plural


def rollout_findings(ctx: Context) -> Iterator[Finding]:
    live = ctx.live
    primary = live.serving[0].name if live.serving else None
    failed = not live.latest_created_ready and bool(live.latest_created)
    if failed:
        serving = f"traffic stays on {primary}" if primary else "no revision serves traffic"
        yield ctx.finding(
            "revision.rollout",
            f"revision.{live.latest_created}",
            f"latest created revision {live.latest_created} is not ready "
            f"({live.latest_created_message}); {serving}",
            revision=primary,
            location=ctx.service.location,
            expected="latest created revision ready",
            actual="not ready",
        )
    template = config_fingerprint(live.template)
    for rev in live.serving:
        delta = DeepDiff(template, config_fingerprint(rev.config), ignore_order=True)
        if not delta:
            continue
        paths = sorted({_diff_path(p) for p in delta.affected_paths})
        yield ctx.finding(
            "revision.rollout",
            f"revision.{rev.name}",
            f"{rev.name} serves {rev.percent}% of traffic with a configuration that differs "
            f"from the service template ({', '.join(paths)})",
            revision=rev.name,
            location=ctx.service.location,
            expected="serving revisions match the template",
            actual=plural(len(live.serving), "serving revision"),
            severity=Severity.WARNING,
        )
    unread = any(u.service == ctx.service.name for u in ctx.state.unverified)
    if not live.serving and not failed and not unread:
        yield ctx.finding(
            "revision.rollout",
            "revision.serving",
            "no revision serves traffic",
            revision=None,
            location=ctx.service.location,
            expected="a serving revision",
            actual=None,
        )


def _diff_path(path: str) -> str:
    """`root['env']['FOO']` -> `env.FOO`."""
    parts = [p.strip("'\"") for p in path.replace("root", "", 1).strip("[]").split("][")]
    return ".".join(parts[:2])
