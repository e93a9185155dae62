"""What `drift init ENV --from-live` did, as its summary says it: the file written, what was
copied, what was not and why, and the `drift check` to run next."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drift.errors import ExitCode
from drift.kinds import Kind, key_label, split_key
from drift.textsafe import plural, visible


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
    renamed: tuple[str, ...] = ()  # `service.VAR` of passwords renamed (`draft.RENAMED`)
    shared: tuple[str, ...] = ()
    """`service.VAR` of plain values holding a credential another plain variable holds
    (`withheld.SHARED`): no secret to reference, unlike `copies`."""
    copies: tuple[str, ...] = ()
    """`service.VAR (why)`: plain values left out because they hold a secret's value init
    read (`withheld.holds`), or another container reads the same variable as a secret
    (`withheld.copies`)."""
    notes: tuple[str, ...] = ()
    profiles_option: str = ""  # ` --profiles DIR` when `drift check` would not look there
    place_options: str = ""  # ` --project P --region R`: `drift check` would read elsewhere
    left_out: tuple[str, ...] = ()  # each workload left out, still deploying: how to add it
    rollouts: tuple[str, ...] = ()  # each service serving revisions unlike the one described
    created: Path | None = None  # the profiles directory, when init made it (a typo shows)
    replaced: bool = False  # a profile was there (--force): said, as the file written over
    unsure: tuple[str, ...] = ()
    """Referenced values not read for now (an outage, a quota): a plain copy may be written."""
    dropped: tuple[str, ...] = ()
    """The workloads the profile written over described and this one does not (helper-532:
    `--force --service api` over a profile of eight left one, said as "over the profile")."""

    @property
    def exit_code(self) -> ExitCode:
        """A profile was written (every other outcome is an error): of every workload (0), or
        of all but those still deploying, or of a service mid-rollout that the profile cannot
        describe whole, or with a referenced value not read for now (3, SPEC: incomplete —
        never 0 for a profile `check` would fail on what init itself chose, or that may hold
        a plain copy of a secret's value)."""
        return ExitCode.INCOMPLETE if self.left_out or self.rollouts or self.unsure else ExitCode.OK

    @property
    def counted(self) -> str:
        """`3 services`, `2 services, 1 job and 1 worker pool`."""
        kinds = [split_key(key)[0] for key in self.services]
        parts = [plural(kinds.count(k), k.noun) for k in Kind if k in kinds]
        return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]

    def summary(self) -> str:
        from drift.onboarding.write import written_as

        lines = [
            f"{written_as(self.path, self.replaced, self.created)}: {self.counted} "
            f"({', '.join(map(key_label, self.services))}) from {self.project}/{self.region}, "
            f"{plural(self.variables, 'variable')} "
            f"({plural(self.secrets, 'secret reference')})"
        ]
        if self.withheld:
            lines.append(
                "not copied (plain values that look like credentials; move them to Secret "
                f"Manager): {', '.join(map(visible, self.withheld))}"
            )
        if self.renamed:
            lines.append(
                "not copied (plain values a variable named like a password held in an older "
                "revision: a password renamed, most likely; move them to Secret Manager): "
                f"{', '.join(map(visible, self.renamed))}"
            )
        if self.shared:
            lines.append(
                "not copied (plain values holding a credential another plain variable holds, "
                "which `drift check` masks: move the credential to Secret Manager; if it is none, "
                f"set the value in the profile by hand): {', '.join(map(visible, self.shared))}"
            )
        if self.copies:
            lines.append(
                "not copied (plain values that are, or most likely are, a value kept in Secret "
                "Manager: reference the secret instead): "
                f"{', '.join(map(visible, self.copies))}"
            )
        if self.dropped:
            lines.append(
                f"no longer in it: {', '.join(map(visible, self.dropped))} (the profile written "
                "over described them; `drift check` no longer checks them: give each --service "
                "to keep them, or restore the file from version control)"
            )
        lines += [f"incomplete: {item}" for item in (*self.left_out, *self.rollouts, *self.unsure)]
        lines += [f"note: {note}" for note in self.notes]
        probes = any(split_key(key)[0] is Kind.SERVICE for key in self.services)
        lines.append(  # only services have probe blocks to fill in
            f"next: review it{', fill in the probe blocks' * probes}, then "
            f"`drift check {self.environment}{self.profiles_option}{self.place_options}`"
        )
        return "\n".join(lines)
