"""A start or an end of a secret's payload copied with its white space changed (CRLF for LF, a
newline for a space: `public_ends.Ends.near`) is masked as its exact start or end is, and
journalled as it is: by its version, the form's cut (`FORM~N`, `FORM#N`), the value's length
and its own runs of white space in order (`FORM~N%L=CODES,…`, each run's characters coded as
`drift.wrapped.spelled` codes them): white space only, nothing of the secret, not even where
each run stands (a passphrase's words' lengths; helper-790 R1: `FLAGS="DEBUG=true LOG_LEVEL=
info"`, a `.env` secret's first lines, was withheld unrecorded and stopped its rollback). A
rollback reads the version again, cuts its form there, puts the recorded runs in place of the
form's, and takes the text only where it has that shape: the cut as many runs as recorded
and no white space around it, the text built the length recorded and squeezed as the cut is;
anything else gives no value, and the rollback refuses, never writes a guess. A drift before
this one knows no form named so (`payload_form` gives no value: `%` after the number of `~`
or `#`) and refuses too."""

from __future__ import annotations

import re

_RUNS = re.compile(r"\s+")
"""A run of white space, as `drift.public_ends` and the masker squeeze them."""
_CODES = {"\n": "n", "\r": "r", " ": "s", "\t": "t"}
"""The white space a record may copy, each character's code (`drift.wrapped`'s): a secret's
`\x1c`-`\x1f`, `\x85`, a Unicode space are data to it (a record separator), so a half whose
runs hold one, in the secret's cut or in the copy, is withheld unrecorded (helper-799 L1):
its runs would carry them into the journal."""
_CHARS = {code: c for c, code in _CODES.items()}
_SPELLING = re.compile(r"([0-9]{1,9})=([nrst]+(?:,[nrst]+)*)")
_FORM = re.compile(r"([a-z-]+[~#][0-9]{1,9})%(.+)")
"""A start or end of a payload's shape (`whole~26`, `strip#40`: `Versions.cut`) and the
value's runs: no piece's or bytes' form (`piece/…`, `bytes/…`) reads so."""


def respaced_parts(form: str) -> tuple[str, str] | None:
    """The form's cut (`whole~26`) and the runs' spelling (`25=s`); None: no such form."""
    found = _FORM.fullmatch(form)
    return None if found is None else (found[1], found[2])


def drifts(spelling: str) -> bool:
    """Whether `spelling` is one drift writes (`respacing`: plain white space, `n r s t`): a
    record edited to another (`x0041`, `<script>`) is refused as a form drift does not write,
    not blamed on the version (helper-799 I2)."""
    return _SPELLING.fullmatch(spelling) is not None


def _squeezed(text: str) -> str:
    return _RUNS.sub(" ", text)


def respacing(value: str, cut: str) -> str | None:
    """The spelling of `value`'s length and runs of white space (`25=s,rn`: 25 characters,
    its first run a space, its second CR LF) that turns `cut` (a form's start or end, squeezed
    as `value` is) into `value`; None: none does (no run, other text, a character no code
    spells, a run of other than space, tab, CR or LF in either)."""
    if value != value.strip() or _squeezed(value) != _squeezed(cut):
        return None
    if not all(set(run) <= _CODES.keys() for run in _RUNS.findall(value + " " + cut)):
        return None  # a run the copy kept is the secret's own: only plain white space is
    if not (runs := _RUNS.findall(value)):
        return None
    spelling = f"{len(value)}=" + ",".join("".join(map(_CODES.__getitem__, r)) for r in runs)
    return spelling if respaced(cut, spelling) == value else None


def respaced(cut: str, spelling: str) -> str | None:
    """`cut` with its runs of white space replaced by those `spelling` records, in order;
    None: the spelling is none drift writes, or `cut` is not the shape it was (more or fewer
    runs, white space around it, another length)."""
    found = _SPELLING.fullmatch(spelling)
    if found is None or cut != cut.strip():
        return None
    runs = ["".join(map(_CHARS.__getitem__, codes)) for codes in found[2].split(",")]
    words = _RUNS.split(cut)
    if len(words) != len(runs) + 1:
        return None
    out = words[0] + "".join(run + word for run, word in zip(runs, words[1:], strict=True))
    if len(out) != int(found[1]) or _squeezed(out) != _squeezed(cut):
        return None
    return out
