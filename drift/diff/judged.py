"""An older revision judged for the drift `since` follows (`drift.diff.since.History`): whether
it has that drift, as it runs today and by what it sets itself, and what else it had wrong on
the same target. Only that target is judged (`engine.configuration_findings`, by the rules of
its family), and only what those rules read of the revision is normalised, when they read it
(`RevisionRecord.lazy`): a service keeps up to 1,000 revisions, and `since` asks of each only
whether the drifts found today are there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from drift.diff.context import At, Context
from drift.diff.engine import configuration_findings
from drift.diff.unjudged import MAIN
from drift.findings import Finding
from drift.live.model import RevisionConfig, ServingRevision
from drift.live.state import RevisionRecord

Key = tuple[str, str, str | None]
Readings = list[tuple[RevisionConfig, set[Key]]]


def key_of(finding: Finding) -> Key:
    """The same drift on two revisions: its rule, its target, and the sidecar whose rules
    found it (`Finding.scope`, not `container`, which names a container only where a
    revision runs several: a drift that began before a sidecar was added is the same drift
    after, and a sidecar's variable missing on a revision without that sidecar is still
    the sidecar's, never the main container's)."""
    return (finding.rule, finding.target, finding.scope)


class Judged:
    """One service's revisions (`records`, oldest first), each judged once for a target."""

    def __init__(self, ctx: Context, records: Sequence[RevisionRecord]) -> None:
        self.ctx = ctx
        self.records = records
        self._drift: dict[tuple[int, str], set[Key]] = {}
        self._own: dict[tuple[int, str], set[Key]] = {}
        self._read: dict[tuple[int, str], Readings] = {}

    def config(self, i: int) -> RevisionConfig:
        """What revision `i` runs with today, normalised as it is read (`RevisionRecord.lazy`)."""
        return self.records[i].lazy

    def own_config(self, i: int) -> RevisionConfig | None:
        """`config` with each setting as revision `i` sets it itself (`RevisionRecord.own`:
        its RevisionScaling, without today's ServiceScaling, which an UpdateService changes
        without making a revision); None where that is `config`."""
        record = self.records[i]
        return record.lazy_own_config if record.lazy_own else None

    def found(self, i: int, config: RevisionConfig, key: Key) -> set[Key]:
        """The drifts on the target of `key` of revision `i` read as `config`, judged by the
        rules of its family alone (`engine.configuration_findings`)."""
        revision = ServingRevision(self.records[i].name, 0, (), (), config)
        return {key_of(f) for f in configuration_findings(At(self.ctx, revision), key[1])}

    def drift(self, i: int, key: Key) -> set[Key]:
        """The drifts revision `i` has on the target of `key` (any rule, any container)."""
        if (i, key[1]) not in self._drift:
            self._drift[i, key[1]] = self.found(i, self.config(i), key)
        return self._drift[i, key[1]]

    def own_drift(self, i: int, key: Key) -> set[Key]:
        """`drift` of revision `i` judged by what it sets itself (`own_config`)."""
        own = self.own_config(i)
        if own is None:
            return self.drift(i, key)
        if (i, key[1]) not in self._own:
            self._own[i, key[1]] = self.found(i, own, key)
        return self._own[i, key[1]]

    def readings(self, i: int, key: Key) -> Readings | None:
        """Where revision `i` ran containers none of which can be told the one the profile's
        `env` describes (`RevisionConfig.undescribed`) and `key` is of its rules (no sidecar's):
        the revision read as if each container the profile names no sidecar were that one,
        with its drift then as it runs and by what it sets itself (`run`). What holds
        whichever it is holds; what differs is not known (`History._unread`). None
        elsewhere."""
        config = self.config(i)
        if not config.undescribed or key[2] is not None or not key[0].startswith(MAIN):
            return None
        if (i, key[1]) not in self._read:
            named, own = self.ctx.service.sidecars, self.own_config(i)
            ones = [replace(config, primary=c) for c in config.undescribed if c not in named]
            read = [(one, self.found(i, one, key)) for one in ones]
            if own is not None:  # as `run`: by what it sets itself too
                for one, found in read:
                    found &= self.found(i, replace(own, primary=one.primary), key)
            self._read[i, key[1]] = read
        return self._read[i, key[1]]

    def run(self, i: int, key: Key) -> bool:
        """Whether revision `i` has the drift of `key` as it runs today and by what it sets
        itself: one that has it only with today's service-level min/max did not begin it
        (and one that has it only by its own bound, which today's service level overrides,
        would not run with it); whichever container is the one the profile describes, where
        that cannot be told (`readings`)."""
        if (readings := self.readings(i, key)) is not None:
            return bool(readings) and all(key in found for _, found in readings)
        return key in self.drift(i, key) and key in self.own_drift(i, key)
