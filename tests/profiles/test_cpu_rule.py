"""A profile's cpu is one Cloud Run applies as written, else refused at its file:line with the
rule (cloud.google.com/run/docs/configuring/services/cpu: "any value between 0.08 and 1, in
increments of 0.001. Values greater than 1 must be integer values"). main: 1.5, 2.5, 0.05 and 0
loaded, and `check` reported a drift no deploy removes; `fix` proposed a patch Cloud Run
refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.profiles.loader import load_profile
from tests.profiles.conftest import the_problem

PROFILE = "project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n      cpu: {}\n"


@pytest.mark.parametrize(
    ("cpu", "said"),
    [("1.5", "write 1 or 2"), ("2.5", "write 2 or 3"), ("1500m", "write 1 or 2")]
    + [("0.05", "below 0.08"), ("0", "below 0.08"), ("79m", "below 0.08")],
)
def test_a_cpu_cloud_run_does_not_apply_is_refused_where_written(
    tmp_path: Path, cpu: str, said: str
) -> None:
    text = the_problem(tmp_path, PROFILE.format(cpu))
    assert text.startswith(f"{tmp_path / 'prod.yaml'}:6: services.api.settings.cpu"), text
    assert said in text and "integers above 1" in text and "configuring/services/cpu" in text


@pytest.mark.parametrize("cpu", ["0.08", "0.5", "0.999", "1", "2", "8", "20", "4000m", "'+1'"])
def test_a_cpu_cloud_run_applies_loads(tmp_path: Path, cpu: str) -> None:
    (tmp_path / "prod.yaml").write_text(PROFILE.format(cpu))
    load_profile(tmp_path, "prod")
