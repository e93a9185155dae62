"""Credentials refused on the revision listing end `drift history` with one line and exit 2,
never a traceback after it: the listings and reads running beside the one that failed are
awaited to their end before the error is raised (helper-598 F4: they failed unread at the
loop's shutdown, "unhandled exception during asyncio.run() shutdown", in 3 runs of 20)."""

from __future__ import annotations

from pathlib import Path

from drift.sandbox import Fault, Sandbox
from tests.history.cli import profile_folder, run

NAMES = [f"svc{n}" for n in range(10)]
PROFILE = (
    "project: acme\nregion: us-central1\nservices:\n"
    + "".join(f"  {name}: {{env: {{A: {{secret: s1, same_as: jb.J}}}}}}\n" for name in NAMES)
    + "jobs:\n  jb: {env: {J: {secret: s1}}}\n"
)


def world() -> dict[str, object]:
    template = {"env": {"A": {"secret": "s1"}}}
    services = {name: {"template": template, "history": [{}]} for name in NAMES}
    acme = {"number": 111, "region": "us-central1", "services": services}
    acme["jobs"] = {"jb": {"template": {"env": {"J": {"secret": "s1"}}}}}
    acme["secrets"] = {"s1": {"versions": ["Shared-Value-1234"]}}
    return {"options": {"seed": 3}, "projects": {"acme": acme}}


def test_refused_credentials_give_one_line(tmp_path: Path) -> None:
    folder = profile_folder(tmp_path, PROFILE)
    with Sandbox(world()) as sandbox:
        sandbox.inject(Fault(method="ListRevisions", code="UNAUTHENTICATED"))
        runs = [run(sandbox, folder, "history", "lab") for _ in range(12)]
    for done in runs:
        assert done.returncode == 2, done.stdout + done.stderr
        assert "unhandled exception" not in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) <= 2, done.stderr  # the error and a hint


def test_refused_credentials_are_said_at_once_beside_a_slow_read(tmp_path: Path) -> None:
    """helper-599 F1: one listing is refused at once while another is slow (20 s): the error
    is said at once, the slow read cancelled, not awaited to its end."""
    folder = profile_folder(tmp_path, PROFILE)
    with Sandbox(world()) as sandbox:
        sandbox.inject(Fault(method="ListRevisions", code="UNAUTHENTICATED", match="svc0"))
        slow = Fault(method="ListRevisions", code=None, latency_ms=20_000, match="services/svc1")
        sandbox.inject(slow)
        done = run(sandbox, folder, "history", "lab")
        slow_calls = [
            c for c in sandbox.calls if c.short == "ListRevisions" and "svc1" in str(c.request)
        ]
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "unhandled exception" not in done.stderr
    # the slow listing was given up (or never sent), not answered after its 20 s
    assert all(c.code != "OK" for c in slow_calls), slow_calls
