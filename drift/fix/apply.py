"""`drift fix`: plan -> confirm -> canary revision with no traffic -> probe it -> confirm ->
move traffic -> re-check. Every write is journaled first; every failure stops with traffic
where it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from drift.check import CheckResult, run_check
from drift.errors import Aborted, ApiError, ExitCode, UsageError
from drift.findings import ProbeResult
from drift.fix.journal import Entry, Journal, State, new_change_id
from drift.fix.model import Plan, ServicePlan
from drift.fix.patch import canary_traffic, copy_service, patched_template, promoted_traffic
from drift.fix.plan import plan_environment
from drift.fix.update import get_service, settled, update_service
from drift.live.normalize import config_fingerprint, revision_config
from drift.live.session import Session
from drift.profiles.model import Profile
from drift.report import Report
from drift.settings import Settings


class FixUI(Protocol):
    def show_plan(self, plan: Plan) -> None: ...
    def confirm(self, question: str) -> bool: ...
    def say(self, text: str) -> None: ...


@dataclass(frozen=True)
class FixOptions:
    yes: bool = False
    dry_run: bool = False
    verify: bool = True
    promote: bool = True


@dataclass
class ServiceOutcome:
    service: str
    canary: str
    tag: str
    state: str
    live_probe: ProbeResult | None = None
    canary_probe: ProbeResult | None = None
    confirmed: bool | None = None
    tag_url: str = ""


@dataclass
class FixResult:
    plan: Plan
    change_id: str | None = None
    outcomes: list[ServiceOutcome] = field(default_factory=list)
    recheck: Report | None = None
    exit_code: ExitCode = ExitCode.OK
    message: str = ""


async def run_fix(
    profile: Profile,
    settings: Settings,
    ui: FixUI,
    options: FixOptions,
    *,
    services: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> FixResult:
    environ = dict(environ or {})
    planned = await plan_environment(
        profile, settings, services=services, environ=environ, today=today
    )
    first, plan = planned.check, planned.plan
    ui.show_plan(plan)
    if not plan.has_patch:
        ui.say("nothing to patch" + (" (see the manual steps above)" if plan.manual else ""))
        return FixResult(plan, exit_code=first.report.exit_code, recheck=first.report)
    async with Session(settings.access()) as session:
        fixer = _Fixer(profile, settings, ui, options, session, first, environ)
        if options.dry_run:
            return await fixer.validate(plan)
        return await fixer.apply(plan, today)


@dataclass
class _Fixer:
    profile: Profile
    settings: Settings
    ui: FixUI
    options: FixOptions
    session: Session
    first: CheckResult
    environ: dict[str, str]

    def _request(self, plan: ServicePlan, canary: str | None, tag: str | None) -> Any:
        raw = self.first.state.services[plan.service].source
        container = self.profile.services[plan.service].container
        try:
            patched = patched_template(raw, plan, container)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        if canary is not None and tag is not None:
            patched.template.revision = canary
            patched.traffic = canary_traffic(raw, canary, tag)
        return patched

    async def _update(self, service: Any, *, validate_only: bool = False) -> Any:
        return await update_service(self.session, service, validate_only=validate_only)

    async def _get(self, full_name: str) -> Any:
        return await get_service(self.session, full_name)

    async def validate(self, plan: Plan) -> FixResult:
        """`--dry-run`: the server validates each patch (validate_only) and nothing changes."""
        rejected = []
        for sp in (s for s in plan.services if s.has_patch):
            try:
                await self._update(self._request(sp, None, None), validate_only=True)
                self.ui.say(f"{sp.service}: the server accepted the patch (validate_only)")
            except ApiError as exc:
                rejected.append(f"{sp.service}: {exc.reason}")
        if rejected:
            raise UsageError("the server rejected the patch: " + "; ".join(rejected))
        return FixResult(plan, exit_code=ExitCode.OK, message="dry run: nothing was changed")

    async def apply(self, plan: Plan, today: dt.date | None) -> FixResult:
        todo = [s for s in plan.services if s.has_patch]
        names = ", ".join(s.service for s in todo)
        if not self.options.yes and not self.ui.confirm(
            f"Deploy the patch to {names} as canary revisions with no traffic?"
        ):
            raise Aborted("declined: nothing was changed")
        change_id = new_change_id()
        result = FixResult(plan, change_id=change_id)
        journal = Journal(self.settings.journal_dir)
        for sp in todo:
            outcome = await self._service(sp, change_id, journal)
            result.outcomes.append(outcome)
        recheck = await run_check(
            self.profile,
            self.settings,
            services=list(self.first.report.services),
            probe=self.options.verify and _has_probe(self.profile, todo),
            environ=self.environ,
            today=today,
        )
        result.recheck = recheck.report
        result.exit_code = recheck.report.exit_code
        return result

    async def _service(self, sp: ServicePlan, change_id: str, journal: Journal) -> ServiceOutcome:
        raw = self.first.state.services[sp.service].source
        tag = f"drift-{change_id}"
        canary = f"{sp.service}-{tag}"
        entry = Entry(
            change_id=change_id,
            environment=self.profile.environment,
            project=self.profile.project,
            region=self.profile.region,
            service=sp.service,
            full_name=raw.name,
            etag_before=raw.etag,
            service_before=_to_json(raw),
            canary_revision=canary,
            tag=tag,
            changes=list(sp.targets),
        )
        outcome = ServiceOutcome(sp.service, canary, tag, State.PLANNED)
        journal.record(entry, State.CANARY_DEPLOYING, f"deploying {canary} with no traffic")
        self.ui.say(f"{sp.service}: deploying canary revision {canary} (no traffic, tag {tag})")
        failure: ApiError | None = None
        try:
            await self._update(self._request(sp, canary, tag))
            after = await self._get(raw.name)
        except ApiError as exc:
            failure = exc
            after = await self._recover_canary(sp, raw, entry, journal, exc)
        problem = self._verify_canary(sp, raw, after, canary)
        if problem:
            cause = f" ({failure.detail})" if failure is not None else ""
            journal.record(entry, State.CANARY_FAILED, problem + cause)
            raise Aborted(
                f"{sp.service}: {problem}{cause}. Traffic was not moved; it stays on "
                f"{sp.revision}; `drift rollback {change_id}` removes the canary"
            )
        outcome.tag_url = next(
            (s.uri for s in after.traffic_statuses if s.tag == tag and s.uri), ""
        )
        note = f"{canary} ready at {outcome.tag_url}"
        if failure is not None:
            note += f" (read from the service: {failure.reason})"
        journal.record(entry, State.CANARY_READY, note)
        outcome.state = State.CANARY_READY
        await self._prove(sp, raw, outcome, journal, entry)
        if not self.options.promote:
            self.ui.say(
                f"{sp.service}: canary {canary} is ready at {outcome.tag_url} with no traffic "
                "(--no-promote); `drift rollback` removes it"
            )
            return outcome
        if not self.options.yes and not self.ui.confirm(
            f"Move all traffic of {sp.service} to {canary}?"
        ):
            journal.record(entry, State.ABORTED, "promotion declined")
            raise Aborted(
                f"{sp.service}: promotion declined: traffic stays on {sp.revision}; the canary "
                f"{canary} has no traffic (tag {tag}); `drift rollback {change_id}` removes it"
            )
        journal.record(entry, State.PROMOTING, f"moving traffic to {canary}")
        promote = copy_service(after)
        promote.traffic = promoted_traffic(raw, canary, tag)
        del promote.traffic_statuses[:]
        try:
            await self._update(promote)
        except ApiError as exc:
            # The answer or the operation may be what was lost: the service tells.
            now = await self._read(raw.name)
            if now is None or _traffic(now.traffic) != _traffic(promote.traffic):
                unread = "; the service could not be read back" if now is None else ""
                journal.record(entry, State.ABORTED, f"promotion failed: {exc.reason}{unread}")
                raise Aborted(
                    f"{sp.service}: moving traffic to {canary} failed ({exc.reason}){unread}; "
                    f"the journal records the state: run `drift rollback {change_id}`"
                ) from exc
            journal.record(entry, State.PROMOTED, f"traffic on {canary} ({exc.reason})")
        else:
            journal.record(entry, State.PROMOTED, f"traffic on {canary}")
        outcome.state = State.PROMOTED
        self.ui.say(f"{sp.service}: traffic moved to {canary}")
        return outcome

    async def _read(self, full_name: str) -> Any | None:
        """The service as it is now, or None when it cannot be read."""
        try:
            return await self._get(full_name)
        except ApiError:
            return None

    async def _recover_canary(
        self, sp: ServicePlan, raw: Any, entry: Entry, journal: Journal, exc: ApiError
    ) -> Any:
        """The canary write failed, or its answer, its operation or the read after it was
        lost. The service says which: return it once the canary has settled, or journal
        what happened and stop."""
        canary, change_id = entry.canary_revision, entry.change_id
        now = await self._read(raw.name)
        if now is None:
            journal.record(
                entry, State.CANARY_FAILED, f"{exc.reason}; the service could not be read back"
            )
            raise Aborted(
                f"{sp.service}: deploying the canary {canary} failed ({exc.reason}) and the "
                f"service could not be read back: it may carry the canary, with no traffic. "
                f"Traffic was not moved; `drift rollback {change_id}` restores the template"
            ) from exc
        if now.template.revision != canary:  # the write did not take effect
            if exc.status in ("ABORTED", "FAILED_PRECONDITION") and "etag" in exc.detail.lower():
                journal.record(entry, State.ABORTED, exc.reason)
                raise Aborted(
                    f"{sp.service} changed after drift read it (etag): nothing was changed; "
                    "run drift fix again"
                ) from exc
            journal.record(entry, State.ABORTED, f"nothing was written: {exc.reason}")
            raise Aborted(
                f"{sp.service}: deploying the canary {canary} failed ({exc.reason}); nothing "
                f"was changed: traffic stays on {sp.revision}"
            ) from exc
        try:
            return await settled(self.session, raw.name, canary)
        except ApiError as read:
            journal.record(entry, State.CANARY_FAILED, f"{exc.reason}; then {read.reason}")
            raise Aborted(
                f"{sp.service}: the canary {canary} was deployed but could not be followed "
                f"({read.reason}). Traffic was not moved; `drift rollback {change_id}` "
                "removes it"
            ) from read

    def _verify_canary(self, sp: ServicePlan, raw: Any, after: Any, canary: str) -> str:
        """Traffic unchanged, the canary ready, and its config exactly the planned one: the
        problem found, or ""."""
        short = after.latest_ready_revision.rsplit("/", 1)[-1]
        if short != canary:
            return f"the canary revision {canary} is not ready (latest ready is {short})"
        before = {(s.revision, s.percent) for s in raw.traffic_statuses if s.percent}
        now = {(s.revision, s.percent) for s in after.traffic_statuses if s.percent}
        if before and now and before != now:
            return "traffic changed while deploying the canary; stopping"
        container = self.profile.services[sp.service].container
        expected = patched_template(raw, sp, container)
        want = config_fingerprint(
            revision_config(expected.template, service=expected, container=container)
        )
        got = config_fingerprint(
            revision_config(after.template, service=after, container=container)
        )
        if want != got:
            return "the deployed template differs from the plan"
        return ""

    async def _prove(
        self, sp: ServicePlan, raw: Any, outcome: ServiceOutcome, journal: Journal, entry: Entry
    ) -> None:
        spec = self.profile.services[sp.service].probe
        if not self.options.verify or spec is None or not outcome.tag_url:
            if spec is None:
                self.ui.say(f"{sp.service}: no probe in the profile: the canary is not verified")
            return
        from drift.probe.client import probe_all
        from drift.probe.idtoken import google_id_token_provider
        from drift.probe.targets import ProbeTarget

        id_token = (
            google_id_token_provider(
                impersonate_service_account=self.settings.impersonate_service_account
            )
            if spec.auth == "google-id-token"
            else None
        )
        live, canary = await probe_all(
            [
                ProbeTarget(sp.service, sp.revision, raw.uri, spec),
                ProbeTarget(sp.service, outcome.canary, outcome.tag_url, spec, audience=raw.uri),
            ],
            environ=self.environ,
            id_token=id_token,
        )
        confirmed = (not live.ok) and canary.ok
        outcome.live_probe = replace(live, confirmed=confirmed)
        outcome.canary_probe = replace(canary, confirmed=confirmed)
        outcome.confirmed = confirmed
        self.ui.say(
            f"{sp.service}: probe of the serving revision: {live.outcome.value}; "
            f"of the canary: {canary.outcome.value}"
            + ("; the patch fixes the failure (confirmed)" if confirmed else "")
        )
        if not canary.ok:
            journal.record(entry, State.CANARY_FAILED, f"canary probe: {canary.detail}")
            raise Aborted(
                f"{sp.service}: the canary failed its probe ({canary.detail}); traffic stays on "
                f"{sp.revision}; the canary has no traffic (tag {outcome.tag}); "
                f"`drift rollback {entry.change_id}` removes it"
            )


def _has_probe(profile: Profile, plans: list[ServicePlan]) -> bool:
    return any(profile.services[p.service].probe is not None for p in plans)


def _traffic(targets: Any) -> set[tuple[str, str, int, str]]:
    """Traffic targets as comparable tuples (type, revision, percent, tag)."""
    return {
        (getattr(t.type_, "name", str(t.type_)), t.revision, int(t.percent), t.tag) for t in targets
    }


def _to_json(service: Any) -> dict[str, Any]:
    import json

    from google.cloud import run_v2

    return dict(json.loads(run_v2.Service.to_json(service)))
