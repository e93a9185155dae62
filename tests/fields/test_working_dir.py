"""The catalogue's `working_dir` row (drift/fields/command.py): a container's working directory
(k8s.min.proto `Container.working_dir`: "If not specified, the container runtime's default will
be used, which might be configured in the container image"), end to end through the real
`drift check`, `plan`, `fix` and `init` on the sandbox: the ingress container's by default, a
sidecar's under `containers: {NAME: {settings: …}}`, a job's and a worker pool's. drift did not
read it: a profile could not state it, and `check` was clean whatever it held. gcloud 528 has
no flag for it in any track: the script leaves it to `drift fix`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields import container_world as cw


def _service(app_dir: str, otel_dir: str = "/otel") -> dict[str, Any]:
    return cw.service_world(
        {"args": ["--mode", "prod"], "workingDir": app_dir}, {"workingDir": otel_dir}
    )


def _findings(sandbox: Sandbox, tmp_path: Path, body: str) -> tuple[int, list[Any], str]:
    return cw.findings(sandbox, tmp_path, body, "working_dir")


def _dirs(sandbox: Sandbox) -> list[tuple[str, str]]:
    template = sandbox.service(cw.P, "api").template
    return [(c.name, c.working_dir) for c in template.containers]


def _rest(sandbox: Sandbox) -> list[Any]:
    """What a fix of a working directory leaves as it was: each container's image, ports,
    arguments and variables."""
    template = sandbox.service(cw.P, "api").template
    return [
        (c.name, c.image, list(c.ports), list(c.args), list(c.env)) for c in template.containers
    ]


SAYS = "    settings:\n      working_dir: /srv/app\n"


def test_a_working_dir_drifted_is_found_planned_fixed_and_rolled_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service("/tmp"))
    assert cw.drifted(sandbox, tmp_path, SAYS, "working_dir") == ("/tmp", "/srv/app")
    words = cw.script(sandbox, tmp_path, SAYS)
    assert "--working-dir" not in words, words
    assert "setting working_dir: gcloud run services update has no flag for it; drift fix " in (
        words
    ), words
    knative = cw.run(sandbox, tmp_path, SAYS, "plan", "env", "--format", "yaml").stdout
    assert "workingDir: /srv/app" in knative, knative
    rest = _rest(sandbox)
    cw.fixed(sandbox, tmp_path, SAYS)
    # the app's only: the sidecar's directory and everything else as it was
    assert _dirs(sandbox) == [("app", "/srv/app"), ("otel", "/otel")]
    assert _rest(sandbox) == rest
    assert _findings(sandbox, tmp_path, SAYS)[:2] == (0, [])
    back = cw.run(sandbox, tmp_path, SAYS, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert _dirs(sandbox) == [("app", "/tmp"), ("otel", "/otel")]


def test_none_is_the_images_workdir(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_service("/tmp"))
    body = "    settings:\n      working_dir: none\n"
    code, (finding,), _ = _findings(sandbox, tmp_path, body)
    assert code == 1 and finding["expected"] == "none (the image's WORKDIR)", finding
    cw.fixed(sandbox, tmp_path, body)
    assert _dirs(sandbox) == [("app", ""), ("otel", "/otel")]
    assert _findings(sandbox, tmp_path, body)[:2] == (0, [])


def test_a_sidecars_working_dir_is_its_own(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_service("/srv/app", "/otel"))
    body = "    containers:\n      otel:\n        settings:\n          working_dir: /etc/otel\n"
    code, (finding,), _ = _findings(sandbox, tmp_path, body)
    assert (code, finding["actual"], finding["container"]) == (1, "/otel", "otel"), finding
    cw.fixed(sandbox, tmp_path, body)
    assert _dirs(sandbox) == [("app", "/srv/app"), ("otel", "/etc/otel")]


def test_a_secret_in_the_working_dir_is_never_shown(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    live = f"/data/{cw.SECRET}"
    sandbox = make_sandbox(_service(live))
    code, (finding,), out = _findings(sandbox, tmp_path, SAYS)
    assert code == 1 and finding["actual"] == "***", finding
    said = [out]
    said += [
        cw.run(sandbox, tmp_path, SAYS, *cmd).stdout
        for cmd in (("check", "env"), ("plan", "env"), ("plan", "env", "--format", "json"))
    ]
    where = ("--project", cw.P, "--region", "us-central1")
    init = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "new", "--from-live", *where)
    written = (tmp_path / "profiles" / "new.yaml").read_text()
    assert "# working_dir: *** (not written" in written, written
    fixed = cw.run(sandbox, tmp_path, SAYS, "fix", "env", "--yes", "--no-verify")
    said += [init.stdout, init.stderr, written, fixed.stdout, fixed.stderr]
    for text in said:
        assert cw.SECRET not in text, text


@pytest.mark.parametrize("sidecar", ["", "/etc/otel"])
def test_init_writes_a_working_dir_only_where_one_is_set(
    make_sandbox: MakeSandbox, tmp_path: Path, sidecar: str
) -> None:
    sandbox = make_sandbox(_service("/srv/app", sidecar))
    where = ("--project", cw.P, "--region", "us-central1")
    done = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "env", "--from-live", *where)
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "profiles" / "env.yaml").read_text()
    lines = [line.strip() for line in written.splitlines() if "working_dir" in line]
    assert lines == ["working_dir: /srv/app"] + ([f"working_dir: {sidecar}"] if sidecar else [])
    checked = drift_on(sandbox, tmp_path, ("env", written), "check", "env", "--no-history")
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(("section", "named"), cw.JOB_OR_POOL)
def test_a_job_or_pools_working_dir_is_drift_and_fixed(
    make_sandbox: MakeSandbox, tmp_path: Path, section: str, named: str
) -> None:
    sandbox = make_sandbox(cw.jobs_world({"workingDir": "/tmp"}, {"workingDir": "/agent"}))
    said, containers = cw.checked_and_fixed(sandbox, tmp_path, section, named, SAYS, "working_dir")
    assert said == ["/tmp"]
    # a pool's consumer's only: the agent's as it was
    assert [c.working_dir for c in containers] == ["/srv/app", "/agent"][: len(containers)]
