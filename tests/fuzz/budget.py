"""How many examples each property of tests/fuzz tries. `make test` runs a few (tests/fuzz adds
under 10 s on 2 cores); `DRIFT_FUZZ_EXAMPLES=500` runs that many of each, for a longer local
search. The examples are the same on every run (tests/conftest.py's "ci" profile: derandomized,
no example database), so a failure in CI is the one a local run of the same count finds;
`HYPOTHESIS_PROFILE=explore` draws new ones."""

from __future__ import annotations

import os


def examples(default: int) -> int:
    count = os.environ.get("DRIFT_FUZZ_EXAMPLES", "").strip()
    return int(count) if count else default
