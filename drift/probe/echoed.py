"""What a probed service sent back, masked of the secrets it holds (SPEC safety invariant 1).

A service may echo a value it gets from Secret Manager (an env variable or a mounted file
that references a secret version) in an HTTP error body or a close reason: `bad key <value>`
(helper-837 F1). drift reads no such value unless a rule compares it, so the probe's masker
(`drift.probe.expand`: what the probe sent) and the registry (`drift.redact`: what drift read)
did not know it, and it reached the report, every format, and a fix's journal. What a server
sends is untrusted: when a result carries the server's text, the values of the secret
versions the probed revision references are read (once a run each: `SecretReads.read_pasted`,
`drift.live.version_values`), registered, and the result masked again; a passing probe
carries none and costs no read. Where one cannot be read (refused, a reference drift does not
read, a revision whose configuration is not known), the server's text is not shown at all:
never unmasked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from drift import redact
from drift.errors import ApiError
from drift.findings import ProbeOutcome, ProbeResult
from drift.refs import SecretRef

if TYPE_CHECKING:
    from drift.live.model import LiveService
    from drift.live.session import Access

NOT_SHOWN = "not shown: the service's secret values could not be read to mask it"
"""What stands for a server's text that may hold a secret drift could not read."""

Refs = Callable[[ProbeResult], Sequence[SecretRef] | None]
"""The secret references of the revision a result probed (None: its configuration is not
known, e.g. the service URL of a split whose revisions could not all be read)."""
Read = Callable[[SecretRef], Awaitable[ApiError | None]]
"""Read and register a reference's value (None: read; else why it could not be)."""


def carries_text(result: ProbeResult) -> bool:
    """Whether `result` may quote what the server sent: any answer from it (an HTTP status, a
    close, a message: `reached`), or an answer that is not HTTP, quoted as such. A failure on
    the way (DNS, TCP, TLS, a proxy, a timeout, a handshake left unanswered) quotes nothing."""
    if result.ok:
        return False
    if result.outcome is not ProbeOutcome.UNREACHABLE:
        return True
    return result.not_http


async def masked(results: Sequence[ProbeResult], refs: Refs, read: Read) -> list[ProbeResult]:
    """`results`, each that carries the server's text masked of the values of the secrets its
    revision references, or, where one could not be read, with that text not shown."""
    out: list[ProbeResult] = []
    for result in results:
        if not carries_text(result):
            out.append(result)
            continue
        held = refs(result)
        unread = (
            ["the probed revision's configuration"]
            if held is None
            else [str(ref) for ref in await _refused(held, read)]
        )
        out.append(_withheld(result, unread) if unread else _remasked(result))
    return out


async def _refused(refs: Iterable[SecretRef], read: Read) -> list[SecretRef]:
    return [ref for ref in dict.fromkeys(refs) if ref.unread or await read(ref) is not None]


def _remasked(result: ProbeResult) -> ProbeResult:
    """The result's server text masked as an echo, now that the secrets are registered."""
    return replace(
        result,
        detail=redact.mask(result.detail, echo=True),
        close_reason=redact.mask_optional(result.close_reason, echo=True),
    )


def _withheld(result: ProbeResult, unread: list[str]) -> ProbeResult:
    """The result without the server's text: its status or close code, and why."""
    if result.close_code is not None:
        head = f"closed with {result.close_code}"
    elif result.http_status is not None:
        head = f"HTTP {result.http_status}"
    else:
        head = result.outcome.value
    why = f"{NOT_SHOWN} ({', '.join(unread)} not read)"
    return replace(
        result,
        detail=f"{head}; the service's answer is {why}",
        close_reason=None if result.close_reason is None else NOT_SHOWN,
    )


class EchoMasker:
    """`masked` as a probe's caller needs it: the values read in a session of its own, none
    when no result carries the server's text (`project`: the profile's, where a reference
    names none). Each reference is read once a run however many probes ask (`known`: the
    run's own value reads, `LiveState.value_reads`: one it made is registered already)."""

    def __init__(
        self,
        refs: Refs,
        project: str,
        access: Access,
        runner: Any = None,
        known: Mapping[str, Exception | None] | None = None,
    ) -> None:
        self.refs, self.project, self.access, self.runner = refs, project, access, runner
        self.known = {} if known is None else known
        self._read: dict[SecretRef, ApiError | None] = {}

    async def __call__(self, results: Sequence[ProbeResult]) -> list[ProbeResult]:
        if not any(carries_text(r) for r in results):
            return list(results)
        from drift.live.secrets import SecretReads, Tasks
        from drift.live.session import Session
        from drift.live.state import LiveState

        async with Session(self.access, self.runner) as session:
            project, state = self.project, LiveState()
            reads = SecretReads(session.clients, session.runner, project, state, Tasks())

            async def read(ref: SecretRef) -> ApiError | None:
                name = ref.version_resource(project)
                if self.known.get(name, True) is None:  # read by the run: registered
                    return None
                if ref not in self._read:
                    self._read[ref] = await reads.read_pasted(ref)
                return self._read[ref]

            return await masked(results, self.refs, read)


def revision_refs(live: LiveService | None, result: ProbeResult) -> list[SecretRef] | None:
    """The references of the revision `result` probed, as read (`Refs`): every serving one's
    at the service URL of a split (which one answered is not known), None when one of them
    could not be read."""
    if live is None:
        return None
    revisions = [r for r in live.checked if result.revision in (None, r.name)]
    if not revisions or (result.revision is None and live.unread):
        return None
    return [ref for rev in revisions for *_, ref in rev.config.secret_refs()]


def canary_refs(live: LiveService, written: Any) -> Refs:
    """`fix`'s: a revision read (`revision_refs`), or the canary, a revision of the template
    of `written` (the service as the canary's write left it)."""
    from drift.kinds import Kind
    from drift.live.normalize import template_config

    config = template_config(written, container=None, kind=Kind.SERVICE)
    template = [ref for *_, ref in config.secret_refs()]
    read = {r.name for r in live.checked}
    return lambda r: revision_refs(live, r) if r.revision in read else template
