"""A plain variable's value is what the container gets, `$(NAME)` and `$$` included: "Literal
value of the environment variable. ... Variable references are not supported in Cloud Run"
(run v2 k8s.min.proto EnvVar.value since googleapis b478ea33bf, 2024-11-01, "to reflect Cloud
Run product capabilities"; the docstring of the google-cloud-run client drift installs). drift
and its sandbox had followed the older text, which said `$(VAR_NAME)` expands from the
variables before it (helper-575 F1): a revision holding `https://$(HOST)/x` with HOST=a was
called clean against a profile's `https://a/x`, though its container gets the text
`https://$(HOST)/x`; `fix` moved variables the plan did not name; a Terraform plan's value
with a reference was left unverified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from drift.sandbox.revisions import revision_env
from tests.cliutil import drift

P1, REGION = "p1", "us-central1"
ACCOUNT = "serviceAccount:500000000009-compute@developer.gserviceaccount.com"


def _world(env: dict[str, str]) -> dict[str, Any]:
    service = {"template": {"image": "us-docker.pkg.dev/p1/app:2", "env": env}}
    return {"projects": {P1: {
        "number": 500000000009, "region": REGION,
        "iam": {"roles/secretmanager.secretAccessor": [ACCOUNT]},
        "secrets": {"s": {"versions": ["fake-value-1"]}},
        "services": {"svc": service},
    }}}  # fmt: skip


def _run(sb: Sandbox, tmp: Path, env: dict[str, str], *args: str) -> Any:
    rules = "".join(f"      {n}: {json.dumps(v)}\n" for n, v in env.items())
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "prod.yaml").write_text(
        f"project: {P1}\nregion: {REGION}\nservices:\n  svc:\n    env:\n{rules}"
    )
    return drift(*args, "prod", "--profiles", str(tmp / "profiles"), env=sb.environ(), cwd=tmp)


def _check_and_plan(
    tmp: Path, live: dict[str, str], stated: dict[str, str]
) -> tuple[set[str], set[str]]:
    """The targets `drift check` finds and the variables `drift plan` changes."""
    with Sandbox(_world(live)) as sb:
        checked = _run(sb, tmp, stated, "check", "--no-history", "-f", "json")
        planned = _run(sb, tmp, stated, "plan", "-f", "json")
    assert checked.returncode in (0, 1), checked.stdout + checked.stderr
    found = {f["target"] for f in json.loads(checked.stdout)["findings"]}
    changed = {f"env.{c['name']}" for s in json.loads(planned.stdout)["services"] for c in s["env"]}
    return found, changed


CASES = {
    # the revision's text with a reference, the profile's the value it would expand to
    "reference-live": ({"HOST": "a", "URL": "https://$(HOST)/x"}, "https://a/x"),
    # the profile's text with a reference, the revision's written out
    "reference-profile": ({"HOST": "a", "URL": "https://a/x"}, "https://$(HOST)/x"),
    # `$$` is two dollars, not an escaped one
    "dollars": ({"HOST": "a", "URL": "p$$w"}, "p$w"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_a_value_is_compared_as_written(tmp_path: Path, case: str) -> None:
    """Each was clean and planned nothing on 589ebdac (the expansion model)."""
    live, url = CASES[case]
    found, changed = _check_and_plan(tmp_path, live, {"HOST": "a", "URL": url})
    assert (found, changed) == ({"env.URL"}, {"env.URL"})


@pytest.mark.parametrize(
    "live",
    [
        {"URL": "https://$(HOST)/x", "HOST": "a"},  # HOST set after it
        {"URL": "https://$(HOST)/x"},  # HOST set nowhere
        {"HOST": "a", "URL": "https://$(HOST)/x"},
    ],
    ids=["after", "nowhere", "before"],
)
def test_the_same_text_is_clean_wherever_the_name_it_holds_is_set(
    tmp_path: Path, live: dict[str, str]
) -> None:
    """589ebdac: `after` was env.value ("set HOST before URL") and a plan that moved URL."""
    stated = {"URL": "https://$(HOST)/x", **({"HOST": "a"} if "HOST" in live else {})}
    assert _check_and_plan(tmp_path, live, stated) == (set(), set())


def test_a_reference_to_a_secret_variable_is_judged_as_text(tmp_path: Path) -> None:
    """A value naming a secret-backed variable holds no secret: it is judged, and clean when
    it is the profile's text (589ebdac: unverified, exit 3: "not known without it")."""
    world = _world({"DSN": "postgres://u:$(PASS)@db/x"})
    env = world["projects"][P1]["services"]["svc"]["template"]["env"]
    env["PASS"] = {"secret": "s", "version": "1"}  # set after DSN: no matter
    stated = {"DSN": "postgres://u:$(PASS)@db/x"}
    with Sandbox(world) as sb:
        done = _run(sb, tmp_path, stated, "check", "--no-history", "-f", "json")
    report = json.loads(done.stdout)
    assert (done.returncode, report["findings"], report["unverified"]) == (0, [], []), done.stdout


class _World:
    def secret_text(self, project: Any, secret: str, version: str) -> str | None:
        return {"db-pass": "hunter2-long"}.get(secret)


def test_the_sandbox_starts_backends_with_values_as_written() -> None:
    """589ebdac: REDIS_HOST=localhost, DSN=u:hunter2-long@localhost, LIT=$(RH)."""
    secret = run_v2.EnvVarSource(secret_key_ref=run_v2.SecretKeySelector(secret="db-pass"))
    env = [
        run_v2.EnvVar(name="RH", value="localhost"),
        run_v2.EnvVar(name="REDIS_HOST", value="$(RH)"),
        run_v2.EnvVar(name="PASS", value_source=secret),
        run_v2.EnvVar(name="DSN", value="u:$(PASS)@$(RH)"),
        run_v2.EnvVar(name="LIT", value="$$(RH)"),
    ]
    revision = run_v2.Revision(containers=[run_v2.Container(image="x", env=env)])
    got = revision_env(_World(), None, run_v2.Revision.pb(revision))  # type: ignore[arg-type]
    assert got == {
        "RH": "localhost",
        "REDIS_HOST": "$(RH)",
        "PASS": "hunter2-long",
        "DSN": "u:$(PASS)@$(RH)",
        "LIT": "$$(RH)",
    }


def test_the_patch_moves_no_variable(tmp_path: Path) -> None:
    """URL set in place though it names HOST, set after it; API_URL and NEW_HOST added, the
    first naming the second: the service `drift fix` would write (`plan --format yaml`) has
    each where it was and the added ones at the end in the profile's order, and the plan
    places none (589ebdac moved URL after HOST and API_URL after NEW_HOST)."""
    import yaml

    stated = {"URL": "http://$(HOST)", "API_URL": "http://$(NEW_HOST)", "NEW_HOST": "n"}
    with Sandbox(_world({"URL": "old", "A": "1", "HOST": "h"})) as sb:
        written = _run(sb, tmp_path, stated, "plan", "-f", "yaml")
        planned = _run(sb, tmp_path, stated, "plan", "-f", "json")
    doc = yaml.safe_load(written.stdout)
    env = [(e["name"], e["value"]) for e in doc["spec"]["template"]["spec"]["containers"][0]["env"]]
    assert env == [
        ("URL", "http://$(HOST)"),
        ("A", "1"),
        ("HOST", "h"),
        ("API_URL", "http://$(NEW_HOST)"),
        ("NEW_HOST", "n"),
    ]
    changes = [c for s in json.loads(planned.stdout)["services"] for c in s["env"]]
    assert [c["name"] for c in changes] == ["URL", "API_URL", "NEW_HOST"], changes
    assert not [c for c in changes if "placed_after" in c], changes


def test_two_templates_that_differ_only_in_the_order_of_their_variables() -> None:
    """Another order is another template (Cloud Run makes another revision of it); the line
    that says so was sorted by a variable name it does not have, and raised ValueError (a
    traceback from `fix`'s unreleased-template stop, rollback's check, since)."""
    from drift.diff.differences import template_differences

    def template(*names: str) -> run_v2.RevisionTemplate:
        env = [run_v2.EnvVar(name=n, value=f"$(B)-{n}" if n == "A" else n) for n in names]
        return run_v2.RevisionTemplate(containers=[run_v2.Container(image="x", env=env)])

    assert template_differences(template("A", "B"), template("B", "A")) == [
        "env: the order of the variables differs"
    ]
    assert template_differences(template("A", "B"), template("A", "B")) == []
    changed = template_differences(template("A", "B"), template("B", "A", "C"))
    assert changed == ["env.C: added (C)"]  # a change said: the order is not said beside it


def test_two_templates_that_differ_only_in_the_order_of_their_containers() -> None:
    """helper-820 F1: as the variables' order, the containers' is said; a container added or
    removed is said alone, the others' order unchanged."""
    from drift.diff.differences import template_differences

    def template(*names: str) -> run_v2.RevisionTemplate:
        return run_v2.RevisionTemplate(
            containers=[run_v2.Container(name=n, image=f"x/{n}") for n in names]
        )

    assert template_differences(template("a", "b"), template("b", "a")) == [
        "containers: the order differs"
    ]
    assert template_differences(template("a", "b", "c"), template("a", "c")) == [
        "container b: removed (image x/b)"
    ]
    assert template_differences(template("a", "c"), template("c", "b", "a"))[-1] == (
        "containers: the order differs"
    )
