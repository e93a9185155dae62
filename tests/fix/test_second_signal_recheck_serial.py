"""The second signal during the re-check (test_second_signal_recheck.py), one service after
another (`cancel.again`): its own file, so that `--dist loadfile` runs it beside the
concurrent half."""

from __future__ import annotations

import signal

import pytest

from tests.fix.test_second_signal_recheck import second_signal_during_the_recheck
from tests.rounds import World


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM])
def test_second_signal_during_the_recheck_one_service_after_another(
    world5: World,  # noqa: F811
    second: int,
) -> None:
    second_signal_during_the_recheck(world5, second, "1", "svc-0004")
