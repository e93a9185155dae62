"""A journal entry's bytes and what its checksum file says of them, read as one (`summed`):
an entry drift writes again between the two reads (another drift's record: `drift.fix.
journalfiles.write_pair`) is judged as it is now, never as edited (`checked`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from drift.files import regular_bytes
from drift.fix.entryshape import unsummed
from drift.fix.journalfiles import EDITED, SUM_BYTES, digest, sum_path


def summed(path: Path, read: Callable[[Path], bytes]) -> tuple[bytes, list[str] | None]:
    """The bytes of the entry `path` (`read`: `entry_bytes`) and the digests its checksum file
    accepts, read after them (None: it cannot be read), as one: bytes its checksum does not
    take are read again, and where they changed meanwhile, drift wrote the entry again between
    the two reads (`write_pair`: the checksum taking both, the entry, the checksum of the new
    alone), so the new bytes are judged instead. Before, another drift's record there (two
    fixes at once, one settling a stopped change) made the bytes first read look edited, and
    the change's "journal not here" (helper-735 F5). OSError when they change every time."""
    raw = read(path)
    for _ in range(REREAD):
        accepted = _accepted(path)
        if accepted is None or digest(raw) in accepted or (again := read(path)) == raw:
            return raw, accepted
        raw = again
    raise OSError(f"it was written again each of the {REREAD} times it was read: {WRITTEN}")


REREAD = 3
WRITTEN = "a drift is writing it now; run this again once that drift has finished"


def _accepted(path: Path) -> list[str] | None:
    try:
        return regular_bytes(sum_path(path), SUM_BYTES).decode(errors="replace").split()
    except OSError:
        return None


def checked(path: Path, raw: bytes, data: dict[str, Any], accepted: list[str] | None) -> str:
    """Why the entry `path` read as `raw` (`data`) is not to be trusted ("": it is), its
    checksum file accepting the digests `accepted` (`summed`)."""
    if accepted is None:
        return unsummed(path.name, sum_path(path).name, data)
    if digest(raw) not in accepted:
        return f"{path.name} does not match the checksum drift recorded: {EDITED}"
    return ""
