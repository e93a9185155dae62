"""revencoding 7, the other encodings: a byte order mark says how a baseline is encoded (UTF-16
or UTF-32, either byte order), and a baseline that is not text in its encoding is named as
such, at its line, with what to do: never a codec's words."""

from __future__ import annotations

import codecs

import pytest

from drift.baseline import parse_baseline
from drift.errors import UsageError

NOT_A_REPORT = '{"schema": "something/else"}'


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_byte_order_mark_says_the_encoding(bom: bytes, codec: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_baseline("last.json", bom + NOT_A_REPORT.encode(codec))
    assert "something/else" in str(caught.value), caught.value  # read as JSON: the schema
    assert "valid JSON" not in str(caught.value)


def test_bytes_that_are_not_utf8_are_named_at_their_line() -> None:
    with pytest.raises(UsageError) as caught:
        parse_baseline("last.json", b'{\n "a": "caf\xe9"}')
    message = f"{caught.value} {caught.value.hint}"
    assert "not UTF-8 text (line 2)" in message and "codec" not in message, message
    assert "--output" in message


def test_a_number_python_will_not_convert_is_named_not_a_python_call() -> None:
    with pytest.raises(UsageError) as caught:
        parse_baseline("last.json", b'{\n "exit_code": ' + b"9" * 5000 + b"}")
    said = str(caught.value)
    assert "a number of more than 4300 digits: line 2" in said and "sys." not in said, said
