"""What every rule evaluation needs: the profile, what was read, the service's expectations and
live state, and a way to make a finding with its stable id."""

from __future__ import annotations

from dataclasses import dataclass

from drift.findings import Finding, Location, Severity, finding_id
from drift.live.model import LiveService, LiveState
from drift.profiles.model import Profile, ServiceProfile


@dataclass
class Context:
    profile: Profile
    state: LiveState
    service: ServiceProfile
    live: LiveService

    def finding(
        self,
        rule: str,
        target: str,
        message: str,
        *,
        revision: str | None,
        location: Location | None,
        expected: str | None = None,
        actual: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Finding:
        return Finding(
            id=finding_id(self.profile.environment, self.service.name, rule, target),
            rule=rule,
            severity=severity,
            service=self.service.name,
            revision=revision,
            target=target,
            message=message,
            expected=expected,
            actual=actual,
            location=location,
        )
