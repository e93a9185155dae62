"""drift's quantity parser against the Kubernetes resource.Quantity grammar, from its source
(k8s.io/apimachinery/pkg/api/resource/quantity.go), not from drift: `<signedNumber> ::= <number>
| <sign><number>`, `<binarySI> ::= Ki | Mi | Gi | Ti | Pi | Ei`, `<decimalSI> ::= m | "" | k | M
| G | T | P | E` (the suffixer also reads `n` and `u`), `<decimalExponent> ::= "e"
<signedNumber> | "E" <signedNumber>`; a suffix is read before an exponent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from drift.units import parse_cpu, parse_memory, parse_quantity

GRAMMAR = [
    ("+1", Decimal(1)),
    ("-1", Decimal(-1)),
    ("+1Gi", Decimal(2**30)),
    ("1Ei", Decimal(2**60)),
    ("2Pi", Decimal(2 * 2**50)),
    ("1Ti", Decimal(2**40)),
    ("1E", Decimal(10) ** 18),
    ("1P", Decimal(10) ** 15),
    ("1E3", Decimal(1000)),
    ("1e3", Decimal(1000)),
    ("1e+3", Decimal(1000)),
    ("1e-3", Decimal("0.001")),
    ("100n", Decimal("0.0000001")),
    ("5u", Decimal("0.000005")),
    ("1.", Decimal(1)),
    (".5Gi", Decimal(2**29)),
]


@pytest.mark.parametrize(("text", "value"), GRAMMAR)
def test_the_kubernetes_quantity_grammar(text: str, value: Decimal) -> None:
    assert parse_quantity(text, "quantity", "1") == value


@pytest.mark.parametrize("text", ["", ".", "1Ki3", "1e", "1ei", "Gi", "1 Gi", "++1", "1gi"])
def test_not_quantities(text: str) -> None:
    with pytest.raises(ValueError, match="not a quantity"):
        parse_quantity(text, "quantity", "1")


def test_a_sign_is_a_sign() -> None:
    """main: `+1` was no quantity (kept raw, then read as 1 millicore)."""
    assert parse_cpu("+1") == 1000
    assert parse_memory("+512Mi") == 512 * 2**20


@pytest.mark.parametrize("text", ["-1", "-500m", "-1Gi"])
def test_a_negative_limit_is_refused_by_name(text: str) -> None:
    with pytest.raises(ValueError, match="negative"):
        parse_cpu(text)
    with pytest.raises(ValueError, match="negative"):
        parse_memory(text)
