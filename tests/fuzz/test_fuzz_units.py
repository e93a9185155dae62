"""revfuzz property 5: the unit parsers (drift/units.py) turn any input into a value or a
ValueError with drift's own message; a profile setting turns it into one located problem.

BUG-FINDING tests (failed before its fix): see /work/notes/reports/revfuzz.md."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drift.errors import ProfileError
from drift.profiles.loader import load_profile
from drift.units import parse_cpu, parse_duration, parse_memory, parse_span
from tests.fuzz.budget import examples

PARSERS = [parse_duration, parse_span, parse_cpu, parse_memory]
numberish = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A-?[0-9]{1,7}(\.[0-9]{0,3})?([eE][+-]?[0-9]{1,8}|Ki|Mi|Gi|m|k|[dhms])?\Z"),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(),
)


@settings(max_examples=examples(150), deadline=None)
@given(value=numberish)
@example(value="1e1000000")  # BUG: decimal.Overflow escapes parse_quantity
@example(value="1e999999")  # BUG: Python's "Exceeds the limit (4300 digits)" message
@example(value=10**400)  # BUG: OverflowError from float(value) in _seconds
def test_unit_parsers_give_a_value_or_a_value_error(value: object) -> None:
    for parse in PARSERS:
        try:
            parsed = parse(value)  # type: ignore[arg-type]
        except ValueError as exc:
            said = str(exc)
            assert "digits" not in said and "sys." not in said, f"{parse.__name__}: {said}"
            assert len(said) < 300, f"{parse.__name__}: a message of {len(said)} characters"
            continue
        except Exception as exc:  # noqa: BLE001 — the property: nothing else escapes
            pytest.fail(f"{parse.__name__}({value!r}) raised {type(exc).__name__}: {exc}")
        assert not isinstance(parsed, float) or math.isfinite(parsed), (parse.__name__, value)


@pytest.mark.parametrize(
    ("key", "text", "said"),
    [("memory", '"1e1000000"', "memory quantity: '1e1000000' (out of any range)"),
     ("cpu", '"1e1000000"', "CPU quantity: '1e1000000' (out of any range)"),
     ("memory", '"1e999999"', "too large a memory quantity: '1e999999'"),
     ("memory", str(10**31), "too large a memory quantity: a huge number (out of any range)"),
     ("timeout", str(10**400), "too long a duration: a huge number (at most 315576000000s)"),
     ("timeout", '"٣٠٠s"', "not a duration: '٣٠٠s'")],
)  # fmt: skip
def test_huge_quantities_in_a_profile_are_one_located_problem(
    tmp_path: Path, key: str, text: str, said: str
) -> None:
    """BUG-FINDING: `drift check` printed `internal error: Overflow` (no file:line) for these,
    or Python's own "Exceeds the limit (4300 digits)"; `"٣٠٠s"` (Arabic-Indic digits) read as
    300 s, as `\\d` matches any script's digits."""
    (tmp_path / "prod.yaml").write_text(
        f"project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n      {key}: {text}\n"
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path, "prod")
    (problem,) = caught.value.problems
    assert problem.line == 6 and said in problem.message, problem


@pytest.mark.parametrize(
    ("value", "said"),
    [('"٣٠d"', "expiry_warning is a number of days"),
     (f'"{"9" * 5000}d"', "expiry_warning is at most 3650 days")],
)  # fmt: skip
def test_expiry_warning_reads_ascii_digits_and_refuses_huge_ones(
    tmp_path: Path, value: str, said: str
) -> None:
    """BUG-FINDING: `"٣٠d"` read as 30 days; 5000 digits gave Python's 4300-digit message."""
    (tmp_path / "prod.yaml").write_text(
        f"project: p\nregion: us-central1\nexpiry_warning: {value}\nservices:\n  api: {{}}\n"
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path, "prod")
    (problem,) = caught.value.problems
    assert problem.line == 3 and said in problem.message and "digits" not in problem.message
