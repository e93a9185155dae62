"""A profile's memory below the least Cloud Run takes (memory-limits page, "Minimum memory":
"128 MiB for first generation", "512 MiB for second generation") is refused at its file:line.
`memory: 512` is a quantity without a unit, 512 bytes: it loaded, `check` reported "memory …
is 512Mi, the profile says 512" on a service as configured, and `fix` planned a value Cloud
Run refuses (helper-527 F3). No maximum: a GPU's machine takes more than the page's 32 Gi,
so it is Cloud Run's to refuse, as for cpu."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.profiles.loader import load_profile
from tests.profiles.conftest import the_problem

PROFILE = "project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n      memory: {}\n"
FLOOR = "below the 128Mi Cloud Run takes at the least (512Mi in the second generation"


@pytest.mark.parametrize(
    ("memory", "said"),
    [
        ("512", "512 is 512 bytes (a quantity without a unit is bytes: 512Mi?)"),
        ("'256'", "'256' is 256 bytes (a quantity without a unit is bytes: 256Mi?)"),
        ("1M", "'1M' is 1000000 bytes, below"),
        ("127Mi", "'127Mi' is 133169152 bytes, below"),
        ("0", "0 is 0 bytes, below"),
    ],
)
def test_memory_below_what_cloud_run_takes_is_refused_where_written(
    tmp_path: Path, memory: str, said: str
) -> None:
    text = the_problem(tmp_path, PROFILE.format(memory))
    assert text.startswith(f"{tmp_path / 'prod.yaml'}:6: services.api.settings.memory: "), text
    assert said in text and FLOOR in text and "configuring/memory-limits" in text


@pytest.mark.parametrize(
    ("memory", "size"),
    [("128Mi", 2**27), ("134217728", 2**27), ("0.5Gi", 2**29), ("512Mi", 2**29)]
    + [("1G", 10**9), ("100Ti", 100 * 2**40)],
)
def test_memory_cloud_run_may_take_loads(tmp_path: Path, memory: str, size: int) -> None:
    (tmp_path / "prod.yaml").write_text(PROFILE.format(memory))
    profile = load_profile(tmp_path, "prod")
    assert profile.services["api"].settings["memory"].value == str(size)
