"""`revision.rollout` names where a serving revision's configuration differs from the template
(`changed_paths`, which replaced DeepDiff: helper-577 F2, 7 ms and 0.1 s of import a
comparison), two levels deep, and a value in another order differs (DeepDiff's `ignore_order`
called two orders the same)."""

from __future__ import annotations

from drift.diff.rollout import changed_paths
from drift.refs import SecretRef


def _print(**parts: object) -> dict[str, object]:
    base: dict[str, object] = {
        "env": {"A": ("1", None), "S": (None, SecretRef.parse("s", "1"))},
        "mounts": {},
        "settings": {"cpu": "1", "ports": (8080, 9090)},
    }
    return {**base, **parts}


def test_the_same_configuration_has_no_path() -> None:
    assert changed_paths(_print(), _print()) == []


def test_each_difference_is_named_two_levels_deep() -> None:
    theirs = _print(
        env={"A": ("2", None), "S": (None, SecretRef.parse("s", "2")), "B": ("x", None)},
        settings={"cpu": "1", "ports": (9090, 8080)},
        sidecars={"proxy": {"cpu": "1"}},
    )
    assert changed_paths(_print(), theirs) == [
        "env.A",
        "env.B",
        "env.S",
        "settings.ports",  # another order: DeepDiff(ignore_order=True) saw none
        "sidecars",
    ]
    assert changed_paths(theirs, _print()) == changed_paths(_print(), theirs)
