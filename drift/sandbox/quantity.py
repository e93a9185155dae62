"""Kubernetes resource quantities as the sandbox reads them, and Cloud Run's CPU rule: the
sandbox's own reading, written from Kubernetes' scanner (k8s.io/apimachinery/pkg/api/resource,
`parseQuantityString` and the suffixer of quantity.go) and not from drift's (`drift.units`):
a sandbox that parsed with drift's code would agree with drift's mistakes.

Cloud Run's `ResourceRequirements.limits` (run v2 k8s_min.proto) are these quantities:

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= <number> | <sign><number>        <sign> ::= "+" | "-"
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>

A suffix is looked up before an exponent is read (`1E` is 10^18, `1Ei` 2^60, `1E3` 1000).
Values finer than the unit asked for are rounded up, as Kubernetes' `MilliValue`/`Value` do
("0.1m will rounded up to 1m")."""

from __future__ import annotations

import math
from fractions import Fraction

_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
"""Powers of two."""
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
"""Powers of ten."""
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
"""What Kubernetes' scanner reads as a suffix before an exponent's sign and digits."""
_DIGITS = frozenset("0123456789")
_MAX_EXPONENT = 1000
"""The sandbox's own bound on `e<N>` (Kubernetes caps values at 2^63-1 anyway): 10^10^9 is
never computed."""


class QuantityError(ValueError):
    """Not a quantity."""


def parse(text: str) -> Fraction:
    """The exact value of a quantity (`+1` is 1, `500m` 1/2, `1Ei` 2^60). Raises
    QuantityError."""
    if not text:
        raise QuantityError("empty quantity")
    end, pos, negative = len(text), 0, False
    if text[0] in "+-":
        negative, pos = text[0] == "-", 1
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    whole = text[start:pos]
    fraction = ""
    if pos < end and text[pos] == ".":
        pos += 1
        begin = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        fraction = text[begin:pos]
    if not whole and not fraction and pos > start:
        raise QuantityError(f"no digits in {text!r}")  # "." (Kubernetes: ErrNumeric)
    if pos == start:  # "+" or "-" alone is Kubernetes' zero; anything else no number at all
        if pos == end:
            return Fraction(0)
        raise QuantityError(f"no number in {text!r}")
    value = Fraction(int(whole + fraction or "0"), 10 ** len(fraction)) * _scale(text[pos:], text)
    return Fraction(-value if negative else value)


def _scale(suffix: str, text: str) -> Fraction:
    if suffix in _BINARY:
        return Fraction(2 ** _BINARY[suffix])
    if suffix in _DECIMAL:
        tens = _DECIMAL[suffix]
        return Fraction(10**tens) if tens >= 0 else Fraction(1, 10**-tens)
    head = 0
    while head < len(suffix) and suffix[head] in _SUFFIX_CHARS:
        head += 1
    if suffix[:1] not in ("e", "E") or head != 1:
        raise QuantityError(f"unknown suffix {suffix!r} in {text!r}")
    signed = suffix[1:2] in ("+", "-")
    power = suffix[2:] if signed else suffix[1:]
    if not power or not set(power) <= _DIGITS:
        raise QuantityError(f"not an exponent: {suffix!r} in {text!r}")
    if len(power.lstrip("0")) > 4 or int(power) > _MAX_EXPONENT:
        raise QuantityError(f"exponent out of range in {text!r}")
    ten = 10 ** int(power)
    return Fraction(1, ten) if suffix[1:2] == "-" else Fraction(ten)


def millis(text: str) -> int:
    """A quantity in thousandths, rounded up (Kubernetes' `MilliValue`): a CPU in millicpu."""
    return math.ceil(parse(text) * 1000)


def units(text: str) -> int:
    """A quantity in whole units, rounded up (Kubernetes' `Value`): memory in bytes."""
    return math.ceil(parse(text))


MIN_CPU = 80
"""Millicpu. The CPU page (cloud.google.com/run/docs/configuring/services/cpu, and
…/configuring/jobs/cpu): "The minimum vCPU setting is 0.08 vCPU.\""""


FINE = "CPU is set in increments of 0.001"
"""`cpu_refusal`'s answer for a CPU finer than 0.001 (one a Cloud Run function's service holds,
`validate.validate_cpu`), the only answer a caller may set aside."""


def cpu_refusal(text: str) -> str:
    """Why Cloud Run does not apply the CPU limit `text` ("" when it does). The CPU page: "if
    you want to use less than 1 vCPU, you can select any value between 0.08 and 1, in
    increments of 0.001. Values greater than 1 must be integer values." The maximum depends on
    the instance (8, or at least 20 with an RTX PRO 6000 GPU): `limits.validate_maximums`."""
    try:
        value = parse(text)
    except QuantityError as exc:
        return f"not a quantity ({exc})"
    if value * 1000 < MIN_CPU:
        return "the minimum vCPU setting is 0.08"
    if value > 1 and value != int(value):
        return "values greater than 1 must be integer values"
    if value * 1000 != int(value * 1000):
        return FINE
    return ""
