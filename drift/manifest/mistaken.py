"""What a pipeline gives `--manifest` by mistake in place of a plan's JSON, told in its own
words rather than as the invalid JSON or YAML it is (helper-698 F2-F6): the output of
hashicorp/setup-terraform's wrapper, the human-readable plan, a file in UTF-16, two JSON
documents in one file, and what `terraform show -json` prints when it has nothing to show."""

from __future__ import annotations

import json
import re
from typing import Any

SAVED_PLAN = "terraform plan -out plan && terraform show -json plan"
WRAPPED = (
    "this is the output of hashicorp/setup-terraform's wrapper (its `[command]…` line before "
    "the JSON, its `::debug::` lines after it), not a plan: set `terraform_wrapper: false` on "
    "the setup-terraform step, then give the JSON of the saved plan "
    f"({SAVED_PLAN} > plan.json)"
)
"""The wrapper, on by default, writes the command it runs (`[command]/…/terraform-bin show -json
tfplan`, @actions/exec) to standard output before Terraform's, and its `::debug::` lines
after (cds-snc/terraform-plan#28, GoogleCloudPlatform/terraform-validator#230)."""
HUMAN = (
    "this is the human-readable plan (terraform plan, or terraform show without -json), not "
    f"its JSON: give the JSON of the saved plan ({SAVED_PLAN} > plan.json)"
)
WIDE = (
    "{} text (Windows PowerShell's `>` writes UTF-16), not UTF-8: write it as UTF-8 "
    "(`| Out-File -Encoding utf8 FILE`)"
)
NOTHING_SHOWN = (
    "this is what terraform show -json prints when there is no state or plan to show (only "
    f"format_version): give the JSON of the saved plan ({SAVED_PLAN})"
)
SECOND = (
    "a second JSON document (a file holds one plan or one workload: several plans written "
    "into one, as `terragrunt run-all show -json` or `>>` writes them): give each its own "
    "file and its own --manifest"
)

_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),  # before UTF-16LE's, which it starts with
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
"""The byte order marks of the wide encodings (drift.textsafe `_BOMS`): a file is told to be in
one where what follows its mark reads as text in it (a JSON or YAML document begins with an
ASCII character), else it is bytes, not UTF-8."""
_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
"""A terminal colour sequence: Terraform colours its human-readable output unless -no-color."""
_HUMAN = re.compile(
    r"^(Terraform used the selected providers to generate the following execution"
    r"|Terraform will perform the following actions:"
    r"|No changes\. (Your infrastructure matches the configuration|No objects need to be destroyed)"
    r"|Plan: \d+ to add, \d+ to change, \d+ to destroy)",
    re.MULTILINE,
)
"""Lines of Terraform's human-readable plan (internal/command/views/plan.go and
internal/command/jsonformat/plan.go), at the start of a line."""
_LOOKED_AT = 256 * 1024
"""How much of a file is searched for those lines (they come before the resources it shows, or
alone)."""


def mistaken(raw: bytes) -> str | None:
    """Why `raw` is none of what a manifest is, where it is one of the mistakes above (None: it
    is not; it is read as it is)."""
    # without a mark: told by the NULs about its first character, as Python's JSON reader
    # tells it (json.detect_encoding, RFC 4627 section 3): NUL begins no JSON or YAML in UTF-8
    unmarked = (0, json.detect_encoding(raw[:4]))
    skip, codec = next(((len(m), c) for m, c in _WIDE_BOMS if raw.startswith(m)), unmarked)
    if codec[4:6] in ("16", "32"):
        first = raw[skip : skip + 64].decode(codec, errors="replace").lstrip()[:1]
        if first.isascii() and first.isprintable() and first:
            return WIDE.format(codec[:6].upper())
    start = raw.lstrip()
    if start.startswith(b"[command]"):
        return WRAPPED
    if start[:1] in (b"{", b"["):
        return None
    text = _ESCAPE.sub("", raw[:_LOOKED_AT].decode("utf-8", errors="replace"))
    return HUMAN if _HUMAN.search(text) else None


def nothing_shown(data: Any) -> bool:
    """Whether a JSON document is `terraform show -json` of nothing: `{"format_version": …}`
    alone (terraform internal/command/show.go, with no state and no plan)."""
    return isinstance(data, dict) and list(data) == ["format_version"]


def second_document(exc: json.JSONDecodeError) -> bool:
    """Whether the data the JSON reader found after a whole document ("Extra data") is another
    JSON document."""
    return exc.msg == "Extra data" and exc.doc[exc.pos : exc.pos + 1] in ("{", "[")
