"""Parse the units Cloud Run and profiles write in several ways (durations, CPU, memory)."""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal
from typing import Any

_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
"""ASCII digits only: `\\d` also matches other scripts' digits (`"٣٠٠s"` read as 300 s)."""

MAX_SECONDS = 315_576_000_000
"""The longest duration a Google API holds: google.protobuf.Duration's `seconds` is "from
-315,576,000,000 to +315,576,000,000 inclusive" (~10,000 years; google/protobuf/duration.proto).
Every duration Cloud Run takes (timeouts, probe periods) is a Duration; what each setting allows
(a request timeout at most 3600s) its own row checks."""
_EXPONENT_LIMIT = 30
"""A quantity's power of ten past which it is out of any range (10^30 bytes, CPUs), so
`1e1000000` is refused before it is computed (decimal.Overflow, or Python's 4300-digit limit).
Not Cloud Run's own limits: they differ by machine (a service with an RTX PRO 6000 GPU "must use
a minimum of 20 CPU and 80 GiB of memory", cloud.google.com/run/docs/configuring/services/gpu,
where others stop at 8 vCPU and 32 GiB) and grow; a value Cloud Run returns is never refused,
and one it refuses is its own answer to give."""
_HUGE = Decimal(10) ** _EXPONENT_LIMIT


def _spans(units: str) -> re.Pattern[str]:
    return re.compile("".join(rf"(?:({_NUMBER}){unit})?" for unit in units), re.ASCII)


_DURATION = _spans("hms")
_SPAN = _spans("dhms")
DURATION_TEXT = rf"^\s*(?:{_NUMBER}|(?=[0-9]){_DURATION.pattern})\s*$"
"""A duration as text that `parse_duration` takes (`600`, `2s`, `1m30s`), as a JSON Schema
pattern (editors: `drift.profiles.rules_spec.Duration`)."""


def parse_duration(value: str | int | float, examples: str = "600s, 10m or 1h") -> float:
    """`600`, `600s`, `10m`, `1h30m`, `1.5s` -> seconds. Raises ValueError, its message
    ending with `examples` of what to write."""
    return _seconds(value, _DURATION, "hms", "duration", examples)


def parse_span(value: str | int | float) -> float:
    """`90`, `90s`, `15m`, `2h`, `3d`, `1d12h` -> seconds (the sandbox's ages and delays: a
    duration that may count days). Raises ValueError."""
    return _seconds(value, _SPAN, "dhms", "time span", "90s, 15m, 2h or 3d")


def _seconds(
    value: str | int | float, spans: re.Pattern[str], units: str, noun: str, examples: str
) -> float:
    if isinstance(value, bool):
        raise ValueError(f"not a {noun}: {shown(value)}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"negative {noun}: {shown(value)}")
        if isinstance(value, int) and value > MAX_SECONDS:  # float(10**400): OverflowError
            raise ValueError(f"too long a {noun}: {shown(value)} (at most {MAX_SECONDS}s)")
        return _within(float(value), noun)
    text = value.strip()
    if text[1:] and text.startswith("-") and spans.fullmatch(text[1:]):
        raise ValueError(f"negative {noun}: {shown(value)} (write 0 or more, e.g. {examples})")
    if re.fullmatch(_NUMBER, text, re.ASCII):
        return _within(float(text), noun)
    match = spans.fullmatch(text)
    if not text or not match or not any(match.groups()):
        raise ValueError(f"not a {noun}: {shown(value)} (write e.g. {examples})")
    seconds = sum(float(n) * _UNITS[u] for n, u in zip(match.groups(), units, strict=True) if n)
    return _within(seconds, noun)


def _within(seconds: float, noun: str) -> float:
    """`seconds` if a Duration can hold it (NaN and infinity, or `9` * 400 as text, cannot)."""
    if not math.isfinite(seconds):
        raise ValueError(f"must be a finite {noun}, not {seconds}")
    if seconds > MAX_SECONDS:
        raise ValueError(
            f"too long a {noun}: {seconds:g}s (at most {MAX_SECONDS}s, about 10,000 years:"
            " the longest a Google API's Duration holds)"
        )
    return float(seconds)


def shown(value: object) -> str:
    """A value for a message, at most about 40 characters (a 5000-digit int has no `str` at all:
    Python's 4300-digit limit): every message that quotes what a user wrote shortens it so."""
    if isinstance(value, int) and abs(value) >= 10**30:
        return "a huge number" if value > 0 else "a huge negative number"
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:30]!r}… ({len(value)} characters)"
    return repr(value)


def format_duration(seconds: float) -> str:
    return f"{seconds:g}s"


_QUANTITY = re.compile(
    r"^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
)
"""Kubernetes resource.Quantity's grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go):
`<quantity> ::= <signedNumber><suffix>`, `<sign> ::= "+" | "-"`, `<number> ::= <digits> |
<digits>.<digits> | <digits>. | .<digits>`, `<binarySI> ::= Ki | Mi | Gi | Ti | Pi | Ei`,
`<decimalSI> ::= m | "" | k | M | G | T | P | E` (its suffixer also reads `n` and `u`),
`<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>` (digits only, as its scanner
reads them). A suffix is read before an exponent: `1E` is 10^18, `1Ei` 2^60, `1E3` 1000."""
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: dict[str, Decimal] = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("0.001"),
    **{suffix: Decimal(10) ** (3 * i) for i, suffix in enumerate("kMGTPE", 1)},
}


@functools.lru_cache(maxsize=4096, typed=True)  # a history reads the same limits in each revision
def parse_quantity(value: str | int | float, what: str, example: str) -> Decimal:
    """A Kubernetes resource quantity, as Cloud Run's `resources.limits` take them (`_QUANTITY`):
    a signed number (`+1` is 1) with a binary (`Ki`..`Ei`) or decimal (`n`, `u`, `m`, `k`..`E`)
    suffix or an exponent (`1e3`). Suffixes are case-sensitive (`512ki` is not a quantity).
    Below 10^30 (`_EXPONENT_LIMIT`). Raises ValueError naming `what`."""
    if isinstance(value, bool):
        raise ValueError(f"not a {what}: {shown(value)}")
    too_large = ValueError(f"too large a {what}: {shown(value)} (out of any range)")
    if isinstance(value, int) and abs(value) > _HUGE:  # str(10**5000): the 4300-digit limit
        raise too_large if value > 0 else ValueError(f"not a {what}: {shown(value)}")
    text = str(value).strip()
    match = _QUANTITY.fullmatch(text)
    if not match:
        hint = ""
        if re.fullmatch(r"[+-]?[0-9.]+[a-zA-Z]+", text, re.ASCII):
            hint = "; suffixes are case-sensitive: Ki, Mi, Gi, Ti or k, M, G, T"
        raise ValueError(f"not a {what}: {shown(value)} (write e.g. {example}{hint})")
    number = Decimal(match.group(2))
    suffix = match.group(3) or ""
    exponent = bool(suffix) and suffix not in _BINARY and suffix not in _DECIMAL
    power = suffix[1:].lstrip("+-").lstrip("0") if exponent else ""
    if number.adjusted() > _EXPONENT_LIMIT or len(power) > 2 or int(power or 0) > _EXPONENT_LIMIT:
        if "-" in suffix:  # 1e-1000000: finer than any unit (a byte, a millicore)
            raise ValueError(f"not a {what}: {shown(value)} (exponent out of range)")
        raise too_large  # computing 1e1000000 raised decimal.Overflow
    if suffix in _BINARY:
        size = number * _BINARY[suffix]
    elif suffix in _DECIMAL:
        size = number * _DECIMAL[suffix]
    elif suffix:
        size = number * Decimal(10) ** int(suffix[1:])
    else:
        size = number
    if size > _HUGE:
        raise too_large
    return -size if match.group(1) == "-" else size


def parse_cpu(value: str | int | float) -> Decimal:
    """`1`, `0.5`, `1000m`, `2k`, `0.1666`... -> millicores, exactly (`0.1666` is 166.6: a
    Cloud Run function's CPU is finer than a millicore, `fields.limits.FUNCTION_CPUS`). Which
    values a profile may state is `fields.limits.profile_cpu`'s rule, not this reading's: a
    live value is read as it is. Raises ValueError (not a quantity, or negative)."""
    millis = parse_quantity(value, "CPU quantity", "1, 2, 0.5 or 500m") * 1000
    if millis < 0:
        raise ValueError(f"not a CPU quantity: {shown(value)} (negative)")
    return millis


def _plain(number: Decimal) -> str:
    """`Decimal('500.0')` -> `500`, `Decimal('166.60')` -> `166.6` (never `1E+3`)."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def cpu_millis(millis: Decimal) -> str:
    """The catalogue's form of a CPU: millicores (`500m`, `166.6m`)."""
    return f"{_plain(millis)}m"


def format_cpu(millis: Decimal) -> str:
    """A CPU as a person (and gcloud's `--cpu`) writes it: whole CPUs (`2`), millicores
    (`500m`), or, finer than a millicore, CPUs as the Functions API reports them (`0.1666`)."""
    if millis % 1000 == 0:
        return _plain(millis / 1000)
    if millis == millis.to_integral_value():
        return f"{int(millis)}m"
    return _plain(millis / 1000)


def parse_memory(value: str | int | float) -> int:
    """`512Mi`, `1Gi`, `1G`, `512Ki`, `536870912` -> bytes. Raises ValueError."""
    size = parse_quantity(value, "memory quantity", "512Mi or 1Gi")
    if size < 0:
        raise ValueError(f"not a memory quantity: {shown(value)} (negative)")
    if size != size.to_integral_value():
        raise ValueError(f"not a memory quantity: {shown(value)} (not a whole number of bytes)")
    return int(size)


def format_memory(size: int) -> str:
    """Bytes in the largest binary unit that divides them exactly (`268435456` -> `256Mi`)."""
    for suffix, unit in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if size and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def show_memory(size: int) -> str:
    """Bytes as a person reads them: in the unit, binary or decimal, that divides them exactly
    into the smallest number, binary on a tie (`268435456` -> `256Mi`, `1000000000` -> `1G`,
    `256000000` -> `256M`, not the `250000Ki` that also divides it)."""
    exact = [
        (size // unit, suffix)
        for suffix in ("Ti", "Gi", "Mi", "Ki", "T", "G", "M", "k")
        if size and size % (unit := int(_BINARY.get(suffix) or _DECIMAL[suffix])) == 0
    ]
    if not exact:
        return str(size)
    number, suffix = min(exact, key=lambda e: e[0])
    return f"{number}{suffix}"


MAX_EXPIRY_DAYS = 3650
"""Ten years; a billion days overflowed the diff's `now + days` into an internal error."""
DAYS = re.compile(r"\s*([0-9]+)\s*([dw]?)\s*")
"""`expiry_warning` as text: `30`, `30d`, `4w` (ASCII digits only: `\\d` read "٣٠d" as 30)."""


def parse_days(value: Any) -> Any:
    """A profile's `expiry_warning`: `30`, `30d`, `2w` -> days, at most MAX_EXPIRY_DAYS (an int
    or None passes; what else the field's type refuses). Raises ValueError."""
    found = DAYS.fullmatch(value) if isinstance(value, str) else None
    if found and len(found[1].lstrip("0")) > 9:  # int() of 5000 digits: Python's digit limit
        raise ValueError(f"expiry_warning is at most {MAX_EXPIRY_DAYS} days, not {shown(value)}")
    days = int(found[1]) * (7 if found[2] == "w" else 1) if found else value
    if days is None or isinstance(days, int) and not isinstance(days, bool):
        if days is not None and days > MAX_EXPIRY_DAYS:
            raise ValueError(f"expiry_warning is at most {MAX_EXPIRY_DAYS} days, not {shown(days)}")
        return days
    raise ValueError(f"expiry_warning is a number of days (30, 30d or 4w), not {shown(value)}")
