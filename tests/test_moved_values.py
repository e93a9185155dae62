"""`moved_values`: which values `check` and a plan mask in a workload's live values as a
password renamed — held by a variable masked for its name, later by another variable that did
not hold it before, and by none masked — and which stay readable (helper-588 O1, helper-589
F1, F2, F4, helper-590 F1-F3)."""

from __future__ import annotations

import pytest

from drift.diff.describe import Rank, moved_values
from drift.live.model import ContainerVariables, EnvVar, RevisionVariables

PW = "Tr0ub4dor&3"


def _config(**env: str | tuple[str, bool]) -> RevisionVariables:
    made = {}
    for name, value in env.items():
        text, sensitive = value if isinstance(value, tuple) else (value, False)
        made[name] = EnvVar(name, text, sensitive=sensitive)
    return RevisionVariables((ContainerVariables("app", True, made),), "app")


def _line(*words: str, **env: str) -> RevisionVariables:
    """A configuration whose container runs with `words` as its command line."""
    made = {name: EnvVar(name, value) for name, value in env.items()}
    return RevisionVariables((ContainerVariables("app", True, made, words),), "app")


def _history(*configs: RevisionVariables) -> list[tuple[Rank, RevisionVariables]]:
    """Oldest first, as a history (then the template, the last)."""
    return [((0, i, 0.0), c) for i, c in enumerate(configs)]


@pytest.mark.parametrize(
    ("ranked", "moved"),
    [
        (_history(_config(DB_PASSWORD=PW), _config(PGPASS=PW)), {PW}),  # renamed
        (_history(_config(DB_PASSWORD=PW), _config(DB_PASSWORD="N3w!pass9", PGPASS=PW)), {PW}),
        # a split, no history read: the revisions ranked by when they were made
        ([((1, 0, 1.0), _config(DB_PASSWORD=PW)), ((1, 0, 2.0), _config(PGPASS=PW))], {PW}),
        (_history(_config(DB_PASSWORD=PW, BACKUP=PW)), set()),  # beside it: not renamed
        # a masked variable added beside an older value: that value moved nowhere, even when
        # the masked one goes again or the older revision still serves
        (_history(_config(GCP="acme"), _config(GCP="acme", SECRET_PROJECT="acme")), set()),
        (
            _history(
                _config(TTL="300s"), _config(TTL="3s", SECRET_TTL="300s"), _config(TTL="300s")
            ),
            set(),
        ),
        # hidden only because a plan marks it sensitive: no variable is masked for it
        (_history(_config(MODE=("prod", True)), _config(ENV="prod")), set()),
        (_history(_config(PGPASS=PW), _config(DB_PASSWORD=PW)), set()),  # held before it was masked
        # put on a command line, a word of its own or a flag's value (helper-590 F4)
        (_history(_config(DB_PASSWORD=PW), _line("--pg", PW)), {PW}),
        (_history(_config(DB_PASSWORD=PW), _line(f"--pg={PW}")), {PW}),
        (_history(_line("--pg", PW, DB_PASSWORD=PW)), set()),  # beside it
        (_history(_line("--pg", PW), _line("--pg", PW, DB_PASSWORD=PW), _line("--pg", PW)), set()),
    ],
)
def test_only_a_password_renamed_is_moved(
    ranked: list[tuple[Rank, RevisionVariables]], moved: set[str]
) -> None:
    assert moved_values(ranked) == moved
