"""`compare --live` of a service splitting its traffic between two revisions whose probes differ
only in the HTTP headers one sends (note62 "compare is one-sided for probe headers"). A revision
serving a share with another configuration than the one compared is not compared (exit 3,
tests/compare/test_compare_split.py): a probe sending a header the compared revision's does not
is another configuration, either way round. Before, the probe row's equivalence compared the
headers only where the compared revision's probe sent any: the older revision's header went
unseen, "equivalent", exit 0. Its value is never shown (`probe_text.shown`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.compare.test_compare_split import SPLIT, _compare

VALUE = "7f3a9c1e2b"


def _project(n: int, newer: list[dict[str, str]], older: list[dict[str, str]]) -> dict[str, Any]:
    """A project whose service `app` sends `newer` headers in its newest revision's startup
    probe and `older` in its first's, serving 60 % and 40 % of requests."""

    def template(headers: list[dict[str, str]]) -> dict[str, Any]:
        probe = {"httpGet": {"path": "/healthz", "httpHeaders": headers}}
        app = {"image": f"us-docker.pkg.dev/p{n}/r/app:1", "startupProbe": probe}
        return {"api": {"containers": [app]}}

    service = {"template": template(newer), "history": [template(older)], "traffic": SPLIT}
    return {"number": 400000000000 + n, "region": "us-central1", "services": {"app": service}}


@pytest.mark.parametrize("newer_sends", [False, True])
def test_a_split_whose_probes_differ_in_a_header_is_not_equivalent(
    tmp_path: Path, newer_sends: bool
) -> None:
    sent = [{"name": "X-Probe", "value": VALUE}]
    newer, older = (sent, []) if newer_sends else ([], sent)
    plain = _project(1, [], [])
    scenario = {"projects": {"palpha": plain, "pbeta": _project(2, newer, older)}}
    done, document = _compare(tmp_path, scenario)
    assert done.returncode == 3 and VALUE not in done.stdout + done.stderr, done.stdout
    (reason,) = [u["reason"] for u in document["unverified"] if u["target"] == "revision"]
    assert "another configuration" in reason and "setting.startup_probe" in reason, reason
