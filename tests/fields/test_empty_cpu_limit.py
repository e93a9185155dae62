"""revown43 F2: an empty CPU limit in a manifest was an
internal error since fixcpu2 (8493260): it is the default, as read_cpu says.

drift reads `resources.limits.cpu: ""` as unset everywhere (`limits.read_cpu`: "if not raw:
DEFAULT_CPU"; `access.unparsed_limit`: "" is "unset", so `concurrency_unknown` says nothing),
except in the one rule fixcpu2 made the unset concurrency's default go through:
`cpu_floor.instance_cpu` does `parse_cpu(c.resources.limits.get("cpu", "1"))`, and `.get` gives
"" for a key present with an empty value. `default_concurrency` (drift/fields/limits.py) then
raises ValueError out of the diff: `drift: error: internal error: ValueError: not a CPU
quantity: ''`, exit 2. An empty value is what a templated manifest gives when its variable is
unset (`cpu: "${CPU}"`). Before 8493260 the same check read 1 CPU, concurrency 80: clean, exit 0.
SPEC invariant 7: bad input gets one clear message and an exit code, never an internal error.

Repro: .venv/bin/python -m pytest -q tests/fields/test_empty_cpu_limit.py -n 0"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

PROFILE = (
    "project: p\nregion: us-central1\nservices:\n  web:\n    settings:\n      concurrency: 80\n"
)
MANIFEST = """apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: x/web:1
        ports:
        - containerPort: 8080
        resources:
          limits: {cpu: "", memory: 512Mi}
"""


def test_an_empty_cpu_limit_in_a_manifest_is_no_internal_error(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox({"projects": {"p": {"number": 5, "services": {"web": {}}}}})
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    (tmp_path / "web.yaml").write_text(MANIFEST)
    done = drift("check", "prod", "-m", "web.yaml", env=sandbox.environ(), cwd=tmp_path)
    assert "internal error" not in done.stderr, done.stderr
    # read as unset (1 CPU: concurrency 80, clean) as read_cpu reads it, or refused at its
    # line; never a Python exception
    assert done.returncode in (0, 2, 3), (done.returncode, done.stdout, done.stderr)
