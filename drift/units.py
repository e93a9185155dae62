"""Parse the units Cloud Run and profiles write in several ways (durations, CPU, memory)."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$")
_MEMORY_SUFFIX = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


def parse_duration(value: str | int | float) -> float:
    """`600`, `600s`, `10m`, `1h30m`, `1.5s` -> seconds. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"negative duration: {value}")
        return float(value)
    text = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    match = _DURATION.fullmatch(text)
    if not text or not match or not any(match.groups()):
        raise ValueError(f"not a duration: {value!r} (write e.g. 600s, 10m or 1h)")
    h, m, s = (float(g) if g else 0.0 for g in match.groups())
    return h * 3600 + m * 60 + s


def format_duration(seconds: float) -> str:
    return f"{seconds:g}s"


def parse_cpu(value: str | int | float) -> int:
    """`1`, `1.5`, `1000m` -> millicores. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"not a CPU quantity: {value!r}")
    text = str(value).strip()
    try:
        if text.endswith("m"):
            return int(text[:-1])
        return round(float(text) * 1000)
    except ValueError as exc:
        raise ValueError(f"not a CPU quantity: {value!r} (write e.g. 1, 2 or 500m)") from exc


def parse_memory(value: str | int) -> int:
    """`512Mi`, `1Gi`, `536870912` -> bytes. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"not a memory quantity: {value!r}")
    text = str(value).strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kMGT]i?)?", text)
    if not match:
        raise ValueError(f"not a memory quantity: {value!r} (write e.g. 512Mi or 1Gi)")
    number, suffix = match.groups()
    return round(float(number) * _MEMORY_SUFFIX[suffix or ""])


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
        unit = _MEMORY_SUFFIX[suffix]
        if size and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)
