"""`moved_values`: which values `check` and a plan mask in a workload's live values as a
password renamed — held by a variable masked for its name, later by another variable and by
none masked — and which stay readable (helper-588 O1, helper-589 F1, F2, F4)."""

from __future__ import annotations

import pytest

from drift.diff.describe import moved_values
from drift.live.model import ContainerVariables, EnvVar, RevisionVariables

PW = "Tr0ub4dor&3"


def _config(**env: str | tuple[str, bool]) -> RevisionVariables:
    made = {}
    for name, value in env.items():
        text, sensitive = value if isinstance(value, tuple) else (value, False)
        made[name] = EnvVar(name, text, sensitive=sensitive)
    return RevisionVariables((ContainerVariables("app", True, made),), "app")


@pytest.mark.parametrize(
    ("older", "now", "moved"),
    [
        ([_config(DB_PASSWORD=PW)], [_config(PGPASS=PW)], {PW}),  # renamed
        ([_config(DB_PASSWORD=PW)], [_config(DB_PASSWORD="N3w!pass9", PGPASS=PW)], {PW}),  # rotated
        ([_config(DB_PASSWORD=PW), _config(PGPASS=PW)], [], {PW}),  # renamed within the history
        ([], [_config(DB_PASSWORD=PW, BACKUP=PW)], set()),  # beside it: not renamed
        # added beside an older value later: that value moved nowhere
        (
            [_config(GOOGLE_CLOUD_PROJECT="acme")],
            [_config(GOOGLE_CLOUD_PROJECT="acme", SECRET_PROJECT="acme")],
            set(),
        ),
        (
            [_config(TTL="300s")],
            [_config(TTL="300s"), _config(TTL="300s", SECRET_TTL="300s")],
            set(),
        ),
        # hidden only because a plan marks it sensitive: no variable is masked for it
        ([_config(MODE=("prod", True))], [_config(ENV="prod")], set()),
        ([_config(PGPASS=PW)], [_config(DB_PASSWORD=PW)], set()),  # held before it was masked
    ],
)
def test_only_a_password_renamed_is_moved(
    older: list[RevisionVariables], now: list[RevisionVariables], moved: set[str]
) -> None:
    assert moved_values(older, now) == moved
