"""The sentence on images named by a tag names each on one line, what it hides shown
(helper-562 F3): an image reference is the live service's text, written into `fix`'s and
`rollback`'s output."""

from __future__ import annotations

from drift.fix.recorded import tags_resolved


def test_an_image_with_a_line_break_is_named_on_one_line() -> None:
    said = tags_resolved(["img/app:v1\n::error::forged\x1b[2K"], "the canary", "api-00002-xyz")
    assert "\n" not in said and "\x1b" not in said, said
    assert said.startswith("img/app:v1\\n::error::forged\\x1b[2K is a tag: the canary runs")
