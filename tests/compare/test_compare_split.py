"""helper-531 MEDIUM-2: `compare --live` compares each service as the revision with most
traffic runs it. beta's app sends 40 % of its requests to a revision without NEEDED: that was
"equivalent", exit 0, with a note. A revision serving a share with another configuration than
the one compared (other variables, or the same ones with other values: helper-581 F1) is not
compared: incomplete, exit 3. A tag at 0 %, or a split of revisions alike but for their image,
stays a note."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift


def world(older: dict[str, Any], traffic: list[dict[str, Any]]) -> dict[str, Any]:
    def project(n: int, env: str, **more: Any) -> dict[str, Any]:
        template = {"serviceAccount": f"app@p{env}.iam.gserviceaccount.com", "env": {"NEEDED": "1"}}
        return {
            "number": 400000000000 + n,
            "region": "us-central1",
            "services": {"app": {"template": template, **more}},
        }

    return {
        "projects": {
            "palpha": project(1, "alpha"),
            "pbeta": project(2, "beta", history=[older], traffic=traffic),
        }
    }


SPLIT = [{"latest": True, "percent": 60}, {"revision": 1, "percent": 40}]
TAGGED = [{"latest": True, "percent": 100}, {"revision": 1, "percent": 0, "tag": "old"}]


@pytest.mark.parametrize(
    ("older", "traffic", "code"),
    [
        ({"env": {"NEEDED": None}}, SPLIT, 3),  # 40 % without NEEDED: not compared
        ({"env": {"NEEDED": None}}, TAGGED, 0),  # a tag at 0 %: a note
        # the same names, another value (helper-581 F1: "equivalent", exit 0): not compared
        ({"env": {"NEEDED": "2"}}, SPLIT, 3),
        ({"image": "us-docker.pkg.dev/pbeta/app:2"}, SPLIT, 0),  # a rollout of one config
    ],
)
def test_a_split_whose_sides_differ_is_not_equivalent(
    tmp_path: Path, older: dict[str, Any], traffic: list[dict[str, Any]], code: int
) -> None:
    done, document = _compare(tmp_path, world(older, traffic))
    assert done.returncode == code, done.stdout + done.stderr
    unread = [u["reason"] for u in document["unverified"] if u["target"] == "revision"]
    if code == 3:
        (reason,) = unread
        assert reason.startswith("app-00001-"), reason
        assert " (40 %) serves traffic with another configuration " in reason, reason
    else:
        assert unread == [] and document["status"] == "equivalent"


@pytest.mark.parametrize("percent", [0, 40])
def test_a_revision_not_compared_naming_a_project_by_an_unplaced_number(
    tmp_path: Path, percent: int
) -> None:
    """A revision tagged at 0 % (or serving 40 %) reads a secret of another project by its
    number, and GetProject on it is refused: whether that is the other environment's is not
    known, so never "equivalent" (helper-581 F2: exit 0)."""
    older = {"env": {"NEEDED": "1", "JWT": {"secret": "projects/400000000001/secrets/jwt"}}}
    traffic = [{"latest": True, "percent": 100 - percent}, {"revision": 1, "percent": percent}]
    if not percent:
        traffic[1]["tag"] = "old"
    scenario = world(older, traffic)
    scenario["faults"] = [
        {"method": "GetProject", "code": "PERMISSION_DENIED", "match": "400000000001"}
    ]
    done, document = _compare(tmp_path, scenario)
    assert done.returncode == 3 and document["status"] != "equivalent", done.stdout
    reasons = [u["reason"] for u in document["unverified"] if u["target"] == "env.JWT"]
    assert reasons and "number 400000000001" in reasons[0], document["unverified"]


ROLLOUT = {
    # only how it is written differs: compared (helper-583 F3: "another configuration", exit 3)
    "default account named": (
        {"serviceAccount": "400000000002-compute@developer.gserviceaccount.com"},
        {"serviceAccount": None},
        0,
        "",
    ),
    "main container renamed": ({"container_name": "app-old"}, None, 0, ""),
    "new image only": ({"image": "us-docker.pkg.dev/pbeta/r/app:0.9"}, None, 0, ""),
    # a real difference, named in the reason
    "version bumped": (
        {"image": "us-docker.pkg.dev/pbeta/r/app:0.9", "env": {"APP_VERSION": "0.9"}},
        None,
        3,
        "(env.APP_VERSION): not compared",
    ),
}


@pytest.mark.parametrize("case", list(ROLLOUT))
def test_a_split_compared_by_what_it_runs_with(tmp_path: Path, case: str) -> None:
    older, template_more, code, said = ROLLOUT[case]
    scenario = world(older, SPLIT)
    for project in scenario["projects"].values():
        template = project["services"]["app"]["template"]
        template["env"]["APP_VERSION"] = "1.0"
        template.update({k: v for k, v in (template_more or {}).items() if v is not None})
        for key in [k for k, v in (template_more or {}).items() if v is None]:
            template.pop(key, None)
    done, document = _compare(tmp_path, scenario)
    assert done.returncode == code, done.stdout
    reasons = [u["reason"] for u in document["unverified"] if u["target"] == "revision"]
    assert (said in reasons[0]) if said else not reasons, reasons


def _compare(tmp_path: Path, scenario: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """`compare alpha beta --live -f json` of the two projects of `world`, and its report."""
    for env in ("alpha", "beta"):
        (tmp_path / f"{env}.yaml").write_text(
            f"project: p{env}\nregion: us-central1\nservices:\n  app: {{}}\n"
        )
    with Sandbox(scenario) as sandbox:
        done = drift(
            "compare", "alpha", "beta", "--live", "--profiles", str(tmp_path), "-f", "json",
            env=sandbox.environ(),
        )  # fmt: skip
    return done, json.loads(done.stdout)


def test_a_split_naming_its_secret_by_its_full_name_is_compared(tmp_path: Path) -> None:
    """The older revision names its own project's secret `projects/pbeta/secrets/s`, the
    newer one `s`: one secret, compared (9bb86b76: exit 3, env.K; helper-584 F3)."""
    scenario = world({"env": {"K": {"secret": "projects/pbeta/secrets/s"}}}, SPLIT)
    for name, project in scenario["projects"].items():
        project["secrets"] = {"s": {"versions": [f"fake-{name}-value-1234"]}}
        project["services"]["app"]["template"]["env"]["K"] = {"secret": "s"}
        account = project["services"]["app"]["template"]["serviceAccount"]
        project["iam"] = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{account}"]}
    done, document = _compare(tmp_path, scenario)
    reasons = [u["reason"] for u in document["unverified"] if u["target"] == "revision"]
    assert reasons == [] and done.returncode in (0, 1), done.stdout
