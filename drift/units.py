"""Parse the units Cloud Run and profiles write in several ways (durations, CPU, memory)."""

from __future__ import annotations

import re
from decimal import Decimal

_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
_NUMBER = r"\d+(?:\.\d+)?"


def _spans(units: str) -> re.Pattern[str]:
    return re.compile("".join(rf"(?:({_NUMBER}){unit})?" for unit in units))


_DURATION = _spans("hms")
_SPAN = _spans("dhms")


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
        raise ValueError(f"not a {noun}: {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"negative {noun}: {value}")
        return float(value)
    text = value.strip()
    if text[1:] and text.startswith("-") and spans.fullmatch(text[1:]):
        raise ValueError(f"negative {noun}: {value!r} (write 0 or more, e.g. {examples})")
    if re.fullmatch(_NUMBER, text):
        return float(text)
    match = spans.fullmatch(text)
    if not text or not match or not any(match.groups()):
        raise ValueError(f"not a {noun}: {value!r} (write e.g. {examples})")
    return sum(float(n) * _UNITS[u] for n, u in zip(match.groups(), units, strict=True) if n)


def format_duration(seconds: float) -> str:
    return f"{seconds:g}s"


_QUANTITY = re.compile(
    r"^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: dict[str, Decimal] = {
    "m": Decimal("0.001"),
    **{suffix: Decimal(10) ** (3 * i) for i, suffix in enumerate("kMGTPE", 1)},
}


def parse_quantity(value: str | int | float, what: str, example: str) -> Decimal:
    """A Kubernetes resource quantity, as Cloud Run's `resources.limits` take them: a number with
    a binary (`Ki`..`Ei`) or decimal (`m`, `k`..`E`) suffix or an exponent (`1e3`). Suffixes are
    case-sensitive (`512ki` is not a quantity). Raises ValueError naming `what`."""
    if isinstance(value, bool):
        raise ValueError(f"not a {what}: {value!r}")
    text = str(value).strip()
    match = _QUANTITY.fullmatch(text)
    if not match:
        hint = ""
        if re.fullmatch(r"[0-9.]+[a-zA-Z]+", text):
            hint = "; suffixes are case-sensitive: Ki, Mi, Gi, Ti or k, M, G, T"
        raise ValueError(f"not a {what}: {value!r} (write e.g. {example}{hint})")
    number = Decimal(match.group(1))
    suffix = match.group(2) or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    if suffix:
        return number * Decimal(10) ** int(suffix[1:])
    return number


def parse_cpu(value: str | int | float) -> int:
    """`1`, `0.5`, `1000m`, `2k`... -> millicores. Raises ValueError."""
    millis = parse_quantity(value, "CPU quantity", "1, 2, 0.5 or 500m") * 1000
    if millis != millis.to_integral_value():
        raise ValueError(f"not a CPU quantity: {value!r} (finer than a millicore)")
    return int(millis)


def parse_memory(value: str | int | float) -> int:
    """`512Mi`, `1Gi`, `1G`, `512Ki`, `536870912` -> bytes. Raises ValueError."""
    size = parse_quantity(value, "memory quantity", "512Mi or 1Gi")
    if size != size.to_integral_value():
        raise ValueError(f"not a memory quantity: {value!r} (not a whole number of bytes)")
    return int(size)


def format_memory(size: int) -> str:
    """Bytes in the largest binary unit that divides them exactly (`268435456` -> `256Mi`)."""
    for suffix, unit in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if size and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def show_memory(size: int) -> str:
    """Bytes as a person reads them: the largest binary unit, else the largest decimal unit,
    that divides them exactly (`268435456` -> `256Mi`, `1000000000` -> `1G`)."""
    for suffix in ("Ti", "Gi", "Mi", "Ki", "T", "G", "M", "k"):
        unit = int(_BINARY[suffix] if suffix in _BINARY else _DECIMAL[suffix])
        if size and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)
