"""Secret values compared in memory: read once, kept only as digests, never returned or shown."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace

from drift import redact
from drift.compare.model import SIDES, Difference, Kind, ServiceView, Unread, VarView
from drift.compare.rules import Context
from drift.errors import ApiError
from drift.live.state import LiveState
from drift.live.value_reads import ValueReads, referenced_values
from drift.profiles.model import Profile
from drift.refs import SecretRef


@dataclass(frozen=True)
class SecretDigests:
    """SHA-256 digests of secret values (to tell equal from different), and what could not be
    read (`(project, ref)` -> reason)."""

    digests: dict[tuple[str, SecretRef], str]
    failed: dict[tuple[str, SecretRef], str]


async def learn_referenced(
    values: ValueReads, sides: Iterable[tuple[Profile, LiveState]]
) -> dict[SecretRef, ApiError]:
    """Read the value of every version the workloads read on each side reference, each once
    (a version both sides name, by id or number, too), only to know it: a plain value that
    holds it, or its start or end, is masked wherever it is shown (helper-774, task 777). A
    refusal is nobody's finding, as `check`'s read of a value pasted in
    (`SecretReads.read_pasted`): the value stays unknown; a reference that differs from the
    other side's is said unread by `same_secret_values`."""
    states = list(sides)
    refs = [r for p, s in states for r in referenced_values(s, values.project, p.project)]
    ids = {number: id for _, state in states for number, id in state.projects.items()}
    return await values.learn(refs, ids)


async def secret_digests(
    values: ValueReads, wanted: Iterable[tuple[str, SecretRef]]
) -> SecretDigests:
    """Each `(project, ref)`'s value (read once, by `values`, `learn_referenced`'s read of it
    when there was one), kept only as a digest."""
    digests: dict[tuple[str, SecretRef], str] = {}
    failed: dict[tuple[str, SecretRef], str] = {}

    async def read(project: str, ref: SecretRef) -> None:
        named = ref if ref.project or project == values.project else replace(ref, project=project)
        data = await values.value(named)
        if isinstance(data, ApiError):
            failed[(project, ref)] = data.reason
            return
        redact.register_payload(data)  # as text, and each readable run of a binary value
        digests[(project, ref)] = hashlib.sha256(data).hexdigest()

    await asyncio.gather(*(read(p, r) for p, r in dict.fromkeys(wanted)))
    return SecretDigests(digests, failed)


async def same_secret_values(
    ctx: Context,
    a: dict[str, ServiceView],
    b: dict[str, ServiceView],
    names: list[str],
    values: ValueReads,
) -> tuple[list[Difference], list[Unread]]:
    """Pairs of secret references (one per side, same variable) holding the same value."""
    pairs: list[tuple[str, VarView, VarView]] = []
    for name in names:
        sa, sb = a.get(name), b.get(name)
        if sa is None or sb is None:
            continue
        for var, va in sa.env.items():
            vb = sb.env.get(var)
            if va.secret is None or vb is None or vb.secret is None:
                continue
            if ctx.same_secret(va.secret, vb.secret):
                continue  # the same secret: already reported by name
            pairs.append((name, va, vb))
    if not pairs:
        return [], []
    wanted = [(ctx.a.project, va.secret) for _, va, _ in pairs if va.secret]
    wanted += [(ctx.b.project, vb.secret) for _, _, vb in pairs if vb.secret]
    # a reference in a form drift does not read is never read as another secret: unread
    read = await secret_digests(values, [(p, r) for p, r in wanted if not r.unread])
    read.failed.update({(p, r): r.unreadable for p, r in wanted if r.unread})
    found: list[Difference] = []
    unread: list[Unread] = []
    for service, va, vb in pairs:
        assert va.secret is not None and vb.secret is not None
        key_a, key_b = (ctx.a.project, va.secret), (ctx.b.project, vb.secret)
        failed = [
            Unread(side, service, f"env.{va.name}", read.failed[key])
            for side, key in zip(SIDES, (key_a, key_b), strict=True)
            if key in read.failed
        ]
        unread += failed
        if failed or read.digests[key_a] != read.digests[key_b]:
            continue
        found.append(
            Difference(
                Kind.SECRET_SHARED,
                service,
                f"env.{va.name}",
                f"{va.name}: {ctx.a.environment}'s {va.secret} and {ctx.b.environment}'s "
                f"{vb.secret} hold the same value (compared in memory, not shown)",
                va.shown,
                vb.shown,
            )
        )
    return found, unread
