"""A manifest is text a pull request writes, and no Cloud Run validation stands in front of it:
`drift check --manifest` in a pipeline puts its names, regions, projects and Terraform
addresses into errors, notes and reports. None of them may start a line of its own: a GitHub
runner trims a log line's leading white space and runs it as a workflow command when it then
starts with `::` (actions/runner src/Runner.Common/ActionCommand.cs, `TryParseV2`: "the message
needs to start with the keyword after trim leading space"), from stdout and stderr alike
(`::error` on any file and line, `::add-mask::`, `::stop-commands::`); and no raw control
character reaches a terminal."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift

V1 = "google_cloud_run_service"
FORGED = "\n::error file=profiles/staging.yaml,line=16::FORGED\n::stop-commands::pwn\x1b]0;t\x07"
"""A line break, two workflow commands and an OSC sequence (it sets the terminal's title)."""


def knative(name: str = "api", **metadata: Any) -> dict[str, Any]:
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "acme-chat-staging", **metadata},
        "spec": {"template": {"spec": {"containers": [{"image": "img"}]}}},
    }


def terraform(*changes: dict[str, Any]) -> dict[str, Any]:
    """`terraform show -json` of a plan making `changes` (`change`: one resource change)."""
    return {"format_version": "1.2", "resource_changes": list(changes)}


def change(
    after: dict[str, Any] | None,
    *,
    address: str = "google_cloud_run_v2_service.x",
    kind: str = "google_cloud_run_v2_service",
    actions: tuple[str, ...] = ("create",),
    before: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": "x",
        "change": {"actions": list(actions), "before": before, "after": after},
    }


def v2(name: str = "api", **after: Any) -> dict[str, Any]:
    template = [{"containers": [{"image": "img"}]}]
    return {"name": name, "location": "us-central1", "template": template, **after}


def keyed(key: str) -> str:
    """A Terraform address with a `for_each` key, which is any string."""
    return f'google_cloud_run_v2_service.svc["{key}"]'


ERRORS = {
    # "FILE names no service of profile staging: it has NAME; …"
    "knative-name": ("api.yaml", knative("x" + FORGED)),
    # "FILE:1: service api is for region REGION, profile …"
    "knative-region": (
        "api.yaml",
        knative(labels={"cloud.googleapis.com/location": "us-east1" + FORGED}),
    ),
    "knative-project": ("api.yaml", knative(namespace="acme" + FORGED)),
    "terraform-name": ("plan.json", terraform(change(v2("x" + FORGED)))),
    "terraform-region": ("plan.json", terraform(change(v2(location="r" + FORGED)))),
    # "FILE holds no Cloud Run service …; FILE: ADDRESS is no longer managed by Terraform
    # (forget) …" (a delete with no state before it was noted so, until helper-766 refused it)
    "terraform-address-note": (
        "plan.json",
        terraform(change(None, before=v2(), address=keyed(FORGED), actions=("forget",))),
    ),
    # "service api is in FILE: ADDRESS and in FILE: ADDRESS: check each in its own run"
    "terraform-address-twice": (
        "plan.json",
        terraform(change(v2(), address=keyed("a" + FORGED)), change(v2(), address=keyed("b"))),
    ),
}


def run_check(tmp_path: Path, name: str, doc: dict[str, Any], *args: str) -> Any:
    manifest = tmp_path / name
    manifest.write_text(json.dumps(doc))  # JSON is YAML too
    done = drift("check", "staging", "--manifest", str(manifest), "--offline", *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def forged(text: str) -> list[str]:
    """The lines a runner would run as workflow commands."""
    return [line for line in text.splitlines() if line.lstrip().startswith("::")]


def raw_controls(text: str) -> list[str]:
    return [repr(c) for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")]


@pytest.mark.parametrize("case", list(ERRORS))
def test_manifest_text_in_an_error_is_shown_on_its_line(case: str, tmp_path: Path) -> None:
    """The error quotes the manifest's text visibly (`\\n`, `\\x1b`) on drift's line: one
    clear message, exit 2, whatever the manifest holds."""
    name, doc = ERRORS[case]
    done = run_check(tmp_path, name, doc, "--format", "github")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""  # no report
    assert "\\n::error file=profiles/staging.yaml,line=16::FORGED\\n" in done.stderr
    # the one command is drift's own: the error's message as an annotation, titled drift
    # (drift.cli.output.error); a `::` line of the manifest's would be forged
    (own,) = forged(done.stderr)
    assert own.startswith("::error title=drift::"), done.stderr
    assert raw_controls(done.stderr) == [], done.stderr


REFUSED = "::error file=profiles/staging.yaml,line=16::FORGED"
"""A variable name Cloud Run refuses: it holds `=` (Cloud Run's page on environment variables,
configuring/services/overview-environment-variables: a name may not be empty, hold `=` or
start with X_GOOGLE_; `drift.profiles.rules_spec.VAR_NAME_MAX`)."""


def with_env(doc: dict[str, Any], names: list[str]) -> dict[str, Any]:
    env = [{"name": n, "value": "x"} for n in names]
    if doc.get("kind") == "Service":
        doc["spec"]["template"]["spec"]["containers"][0]["env"] = env
    else:
        doc["resource_changes"][0]["change"]["after"]["template"][0]["containers"][0]["env"] = env
    return doc


@pytest.mark.parametrize(
    ("name", "doc", "where"),
    [
        ("api.yaml", knative(), "api.yaml:1: spec.template.spec.containers.0.env.1.name: "),
        (
            "plan.json",
            terraform(change(v2())),
            "plan.json: resource_changes[0].change.after.template[0].containers[0].env[1].name: ",
        ),
    ],
    ids=["knative", "terraform"],
)
def test_a_variable_name_cloud_run_refuses_is_refused_where_the_manifest_names_it(
    name: str, doc: dict[str, Any], where: str, tmp_path: Path
) -> None:
    """Exit 2 before anything is checked, naming the file, the line or JSON path, and the name
    (quoted, its line break shown), as the deploy would be refused."""
    done = run_check(tmp_path, name, with_env(doc, ["OK", REFUSED + FORGED]))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    (line, *rest) = done.stderr.splitlines()
    assert where in line, done.stderr
    assert "not an environment variable name: '::error file=" in line
    assert "FORGED\\n::error file=" in line
    assert rest == [], done.stderr
    assert raw_controls(done.stderr) == [], done.stderr


@pytest.mark.parametrize("fmt", ["table", "github"])
def test_a_name_cloud_run_takes_never_starts_a_line(fmt: str, tmp_path: Path) -> None:
    """`::stop-commands::pwn` is a name Cloud Run's rule takes: it is checked, and reported
    (unexpected), on no line of its own."""
    doc = with_env(knative(), ["::stop-commands::pwn", "a.b", "my-var"])
    done = run_check(tmp_path, "api.yaml", doc, "--format", fmt)
    assert done.returncode == 1, done.stderr
    assert "::stop-commands::pwn" in done.stdout
    commands = [line.lstrip() for line in forged(done.stdout + done.stderr)]
    # the only commands are drift's own annotations: `::LEVEL file=…,title=…::…`
    assert [c for c in commands if not c.startswith(("::error file=", "::warning file="))] == []


def test_a_reason_quoting_a_for_each_key_never_starts_a_line(tmp_path: Path) -> None:
    """A v1 resource (`google_cloud_run_service`) deploying api is not verified, its reason
    quoting its address, whose `for_each` key is any string: the "Could not verify" table
    never folds it onto a line of its own."""
    key = " ".join(["::warning::FORGED"] * 12)
    after = {"name": "api", "location": "us-central1"}
    v1 = change(after, address=f'google_cloud_run_service.svc["{key}"]', kind=V1)
    done = run_check(tmp_path, "plan.json", terraform(v1))
    assert done.returncode == 3, done.stderr
    assert key in done.stdout
    assert forged(done.stdout + done.stderr) == [], done.stdout


def test_a_file_name_holding_a_line_break_is_the_annotations_file(tmp_path: Path) -> None:
    """The annotation of a malformed manifest whose name (a glob's match) holds a line break
    points at that file: `file=` is its name with the runner's escapes (`%0A`, `%3A`, `%2C`:
    actions/toolkit `command.ts` `escapeProperty`, which the runner unescapes), not the `\\n`
    the error line shows, which names no file (helper-834 F8)."""
    bad = {"format_version": "1.2", "resource_changes": [1]}
    done = run_check(tmp_path, "ev\n::error file=a,line=1::FORGED.json", bad, "--format", "github")
    assert done.returncode == 2, done.stderr
    (own,) = [line for line in forged(done.stdout + done.stderr) if "title=drift::" in line]
    file = own.partition(",title=drift::")[0]
    assert file.endswith("/ev%0A%3A%3Aerror file=a%2Cline=1%3A%3AFORGED.json"), own
    assert "ev\\n::error file=a,line=1::FORGED.json: resource_changes[0]" in done.stderr
