"""revfuzz property 5: the unit parsers (drift/units.py) turn any input into a value or a
ValueError with drift's own message; a profile setting turns it into one located problem.

BUG-FINDING tests (expected to FAIL on main): see /work/notes/reports/revfuzz.md."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drift.errors import ProfileError
from drift.profiles.loader import load_profile
from drift.units import parse_cpu, parse_duration, parse_memory, parse_span

PARSERS = [parse_duration, parse_span, parse_cpu, parse_memory]
numberish = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A-?[0-9]{1,7}(\.[0-9]{0,3})?([eE][+-]?[0-9]{1,8}|Ki|Mi|Gi|m|k|[dhms])?\Z"),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(),
)


@settings(max_examples=400, deadline=None)
@given(value=numberish)
@example(value="1e1000000")  # BUG: decimal.Overflow escapes parse_quantity
@example(value="1e999999")  # BUG: Python's "Exceeds the limit (4300 digits)" message
@example(value=10**400)  # BUG: OverflowError from float(value) in _seconds
def test_unit_parsers_give_a_value_or_a_value_error(value: object) -> None:
    for parse in PARSERS:
        try:
            parsed = parse(value)  # type: ignore[arg-type]
        except ValueError as exc:
            assert "digits" not in str(exc), f"{parse.__name__}({value!r}): Python's message: {exc}"
            continue
        except Exception as exc:  # noqa: BLE001 — the property: nothing else escapes
            pytest.fail(f"{parse.__name__}({value!r}) raised {type(exc).__name__}: {exc}")
        assert (
            not isinstance(parsed, float)
            or math.isfinite(parsed)
            or parse
            in {
                parse_duration,
                parse_span,
            }
        )


@pytest.mark.parametrize(
    ("key", "text"),
    [("memory", '"1e1000000"'), ("cpu", '"1e1000000"'), ("memory", '"1e999999"'),
     ("timeout", str(10**400))],
)  # fmt: skip
def test_huge_quantities_in_a_profile_are_one_located_problem(
    tmp_path: Path, key: str, text: str
) -> None:
    """BUG-FINDING: `drift check` prints `internal error: Overflow` (no file:line) for these."""
    (tmp_path / "prod.yaml").write_text(
        f"project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n      {key}: {text}\n"
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path, "prod")
    (problem,) = caught.value.problems
    assert problem.line == 6 and "digits" not in problem.message, problem
