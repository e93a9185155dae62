"""`plan --format yaml` masks a container's arguments and a probe's headers on the data, as it
masks a plain variable's value (helper-573 F2, F3): a copy of a secret the run read, whole or
inside a longer text, or a piece shaped like a credential, is `***` and the document says it is
not appliable (`driftNotAppliable`, which `gcloud run services replace` refuses). d2d1f54a
copied them as they were: the scrub after rendering wrote `- ***` (an alias: no YAML at all),
or `Bearer ***` in a document with no word of it, which `replace` would deploy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.sandbox import Sandbox
from tests.cliutil import drift

SECRET = "fake-upstream-key-7c1e0b9a4f2d"
PROFILE = """project: p1
region: us-central1
services:
  api:
    env:
      API_KEY: {secret: api-key, min_length: 20}
      MODE: b
"""


def _world(args: list[str], header: str, **more: Any) -> dict[str, Any]:
    container = {
        "image": "us-docker.pkg.dev/p1/r/api:v1",
        "ports": [{"containerPort": 8080}],
        "args": args,
        "env": [
            {"name": "API_KEY", "valueSource": {"secretKeyRef": {"secret": "api-key"}}},
            {"name": "MODE", "value": "a"},
        ],
        "livenessProbe": {
            "httpGet": {"path": "/hz", "httpHeaders": [{"name": "X-Key", "value": header}]}
        },
    }
    account = "api@p1.iam.gserviceaccount.com"
    secret = {
        "versions": [SECRET],
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{account}"]},
    }
    container.update(more.pop("container", {}))
    template = {"service_account": account, "api": {"containers": [container]}}
    return {"options": {"seed": 7}, "projects": {"p1": {
        "number": 123456789012, "region": "us-central1",
        "secrets": {"api-key": secret},
        "services": {"api": {"template": template, **more}},
    }}}  # fmt: skip


def _plan(tmp: Path, world: dict[str, Any], *more: str) -> tuple[dict[str, Any], str]:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "env.yaml").write_text(PROFILE)
    with Sandbox(world) as sb:
        done = drift("plan", "env", "--format", "yaml", *more, env=sb.environ(), cwd=tmp)
    assert "Traceback" not in done.stderr, done.stderr
    return yaml.safe_load(done.stdout), done.stdout


CASES = {
    "whole": (["--upstream-key", SECRET], SECRET),
    "inside": ([f"--upstream=https://u.example/?k={SECRET}"], f"Bearer {SECRET}"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_secret_drift_read_is_masked_in_arguments_and_headers(tmp_path: Path, case: str) -> None:
    args, header = CASES[case]
    doc, text = _plan(tmp_path, _world(args, header))
    assert SECRET not in text
    container = doc["spec"]["template"]["spec"]["containers"][0]
    assert "***" in container["args"][-1], container["args"]
    assert container["livenessProbe"]["httpGet"]["httpHeaders"][0]["value"] in ("***",)
    said = doc["driftNotAppliable"]
    assert "args holds a secret value: not printed" in said, said
    assert "livenessProbe header/X-Key" in said and "not printed" in said, said


def test_a_credential_shaped_argument_is_masked_unless_revealed(tmp_path: Path) -> None:
    """No secret was read in it: its shape alone (`--db-password=…`), as a variable's."""
    password = "--db-password=Zq8vLw3pRt6yUe"
    world = _world(["serve", password], "plain")
    doc, text = _plan(tmp_path, world)
    assert "Zq8vLw3pRt6yUe" not in text
    args = doc["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[0] == "serve" and args[1].startswith("--db-password=") and "***" in args[1]
    assert "args looks like a credential: not printed" in doc["driftNotAppliable"], doc
    revealed, _ = _plan(tmp_path, world, "--include-plain-credentials")
    assert revealed["spec"]["template"]["spec"]["containers"][0]["args"] == ["serve", password]


WORD = "correct-horse-battery-staple"
"""A secret of letters and `-` only: the scrub after rendering passes over such a word."""


def test_a_one_word_secret_is_masked_in_every_free_text(tmp_path: Path) -> None:
    """In a label, an annotation, the description and the working directory (e029dc92
    covered arguments and headers only: the scrub printed the word whole, or put `***` in a
    document still said appliable; helper-579 F2, F3)."""
    world = _world(
        ["serve"],
        "plain",
        labels={"team": WORD},
        annotations={"team/upstream": f"key={WORD}"},
        description=f"uses {WORD}",
        container={"workingDir": f"/srv/{WORD}"},
    )
    world["projects"]["p1"]["secrets"]["api-key"]["versions"] = [WORD]
    doc, text = _plan(tmp_path, world)
    assert WORD not in text, text
    said = doc["driftNotAppliable"]
    for where in ("label team", "annotation team/upstream", "workingDir", "the description"):
        assert f"{where} holds a secret value: not printed" in said, (where, said)


def test_a_flag_and_its_value_as_two_arguments(tmp_path: Path) -> None:
    """`["--db-password", "VALUE"]`: a flag's value is the next word (helper-579 F4)."""
    world = _world(["serve", "--db-password", "Zq8vLw3pRt6yUe"], "plain")
    doc, text = _plan(tmp_path, world)
    assert "Zq8vLw3pRt6yUe" not in text
    args = doc["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args == ["serve", "--db-password", "***"], args


def test_include_plain_credentials_never_prints_a_secret_drift_read(tmp_path: Path) -> None:
    """The flag reveals plain credentials, never a Secret Manager value drift read: a one-word
    secret in the arguments beside a credential-shaped one, and in a `Bearer` header
    (bf2312dc printed both: helper-580 F1)."""
    world = _world(["--upstream-key", WORD, "--db-password=Zq8vLw3pRt6yUe"], f"Bearer {WORD}")
    world["projects"]["p1"]["secrets"]["api-key"]["versions"] = [WORD]
    doc, text = _plan(tmp_path, world, "--include-plain-credentials")
    assert WORD not in text, text
    container = doc["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["--upstream-key", "***", "--db-password=Zq8vLw3pRt6yUe"]
    assert "holds a secret value: not printed" in doc["driftNotAppliable"], doc


def test_a_credential_over_two_arguments(tmp_path: Path) -> None:
    """`--auth Bearer TOKEN`: the piece spans two arguments (bf2312dc masked none of it:
    helper-580 F2)."""
    token = "AbCdEf0123456789XyZqWeRtY"
    doc, text = _plan(tmp_path, _world(["--auth", "Bearer", token], "plain"))
    assert token not in text, text
    args = doc["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[0] == "--auth" and "***" in args[-1], args


def test_include_plain_credentials_never_prints_a_secret_in_a_bearer_header(
    tmp_path: Path,
) -> None:
    """`Authorization: Bearer <payload>` looks like a credential, and holds a Secret Manager
    value drift read: masked even with the flag (helper-580 F1)."""
    world = _world(["serve"], f"Bearer {WORD}")
    world["projects"]["p1"]["secrets"]["api-key"]["versions"] = [WORD]
    doc, text = _plan(tmp_path, world, "--include-plain-credentials")
    assert WORD not in text, text
    assert doc.get("driftNotAppliable"), doc


def test_a_short_secret_held_whole_by_a_plain_variable_is_never_printed(tmp_path: Path) -> None:
    """Under 8 characters a payload is not searched for in text, but held whole it is one:
    masked even with --include-plain-credentials, which reveals plain credentials only
    (helper-582 F3)."""
    short = "pw4Kq9"
    world = _world(["serve"], "plain")
    world["projects"]["p1"]["secrets"]["api-key"]["versions"] = [short]
    env = world["projects"]["p1"]["services"]["api"]["template"]["api"]["containers"][0]["env"]
    env.append({"name": "DB_PASSWORD", "value": short})
    for more in ((), ("--include-plain-credentials",)):
        doc, text = _plan(tmp_path, world, *more)
        assert short not in text, (more, text)
        assert doc.get("driftNotAppliable"), doc


TOKEN = "AbCdEf0123456789XyZqWeRtY"
URL = "https://user:hunter2secret@storage.example.com"
LEAKED = ("hunter2secret", TOKEN)


def _spec(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["template"]["spec"]


def _volume(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(v for v in _spec(doc)["volumes"] if v["name"] == name)


def _container(doc: dict[str, Any]) -> dict[str, Any]:
    return _spec(doc)["containers"][0]


def _ann(doc: dict[str, Any], key: str) -> str:
    return doc["metadata"]["annotations"][f"run.googleapis.com/{key}"]


def _volumes(**volume: Any) -> dict[str, Any]:
    mount = {"name": volume["name"], "mountPath": "/data"}
    return {"container": {"volumeMounts": [mount]}, "volumes": [volume]}


FREE = {  # a live free text holding a credential's shape: (the world's, the document's text)
    "gcs mount options": (
        _volumes(name="up", gcs={"bucket": "acme-up", "mountOptions": [f"custom-endpoint={URL}"]}),
        lambda d: _volume(d, "up")["csi"]["volumeAttributes"]["mountOptions"],
        "volume up mountOptions",
    ),
    "nfs path": (
        _volumes(name="share", nfs={"server": "10.0.0.2", "path": f"/x/password={TOKEN}"}),
        lambda d: _volume(d, "share")["nfs"]["path"],
        "volume share path",
    ),
    "mount path": (
        {
            "container": {"volumeMounts": [{"name": "tmp", "mountPath": f"/k/token={TOKEN}"}]},
            "volumes": [{"name": "tmp", "emptyDir": {}}],
        },
        lambda d: _container(d)["volumeMounts"][0]["mountPath"],
        "container api-1 mountPath",
    ),
    "probe path": (
        {"container": {"startupProbe": {"httpGet": {"path": f"/ready?token={TOKEN}"}}}},
        lambda d: _container(d)["startupProbe"]["httpGet"]["path"],
        "container api-1 startupProbe path",
    ),
    "grpc service": (
        {"container": {"startupProbe": {"grpc": {"port": 8080, "service": f"h?token={TOKEN}"}}}},
        lambda d: _container(d)["startupProbe"]["grpc"]["service"],
        "container api-1 startupProbe service",
    ),
    "custom audience": (
        {"customAudiences": [URL]},
        lambda d: _ann(d, "custom-audiences"),
        "a custom audience",
    ),
    "breakglass": (
        {"binaryAuthorization": {"useDefault": True, "breakglassJustification": f"p1 {URL}"}},
        lambda d: _ann(d, "binary-authorization-breakglass"),
        "the breakglass justification",
    ),
}


def _free_world(case: str) -> dict[str, Any]:
    more, _, _ = FREE[case]
    more = dict(more)
    volumes = more.pop("volumes", None)
    world = _world(["serve"], "plain", **more)
    if volumes:
        world["projects"]["p1"]["services"]["api"]["template"]["api"]["volumes"] = volumes
    return world


@pytest.mark.parametrize("case", list(FREE))
def test_a_credential_in_a_volume_probe_or_service_text_is_masked_unless_revealed(
    tmp_path: Path, case: str
) -> None:
    """Each free text the document copies from the live service is masked on the data by
    the rule every output has (`credentials.masked_text`), and the document says so and is
    not appliable; with --include-plain-credentials it is written as read. 917363ab wrote a
    volume's mount options (helper-718: the plan's note masked them), an NFS path, a mount
    path, a probe's path and gRPC service, the custom audiences and the breakglass
    justification whole, in a document said appliable."""
    world = _free_world(case)
    _, value, where = FREE[case]
    doc, text = _plan(tmp_path, world)
    assert not [s for s in LEAKED if s in text], text
    assert "***" in value(doc), value(doc)
    assert f"{where} looks like a credential: not printed" in doc["driftNotAppliable"], doc
    revealed, text = _plan(tmp_path, world, "--include-plain-credentials")
    assert "driftNotAppliable" not in revealed, revealed
    assert [s for s in LEAKED if s in value(revealed)], value(revealed)
    said = next(line for line in text.splitlines() if "are written as the live" in line)
    assert where in said, said


@pytest.mark.parametrize("fmt", ["table", "json", "gcloud"])
def test_the_other_plan_formats_show_none_of_those_texts(tmp_path: Path, fmt: str) -> None:
    """The same live texts, all at once, beside a plan in the other formats."""
    world = _free_world("gcs mount options")
    service = world["projects"]["p1"]["services"]["api"]
    for case in FREE:
        more = _free_world(case)["projects"]["p1"]["services"]["api"]
        service.update({k: v for k, v in more.items() if k != "template"})
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "env.yaml").write_text(PROFILE)
    with Sandbox(world) as sb:
        done = drift("plan", "env", "--format", fmt, env=sb.environ(), cwd=tmp_path)
    assert done.returncode == 1 and "api" in done.stdout, done.stdout + done.stderr
    assert not [s for s in LEAKED if s in done.stdout + done.stderr], done.stdout


def test_a_secret_drift_read_in_a_mount_option_is_never_printed(tmp_path: Path) -> None:
    """A one-word Secret Manager value in an option stays `***` under the flag too (the
    sweep of the finished document masked it before: this pins it field by field)."""
    gcs = {"bucket": "acme-up", "mountOptions": [f"token-url=https://t.example/{WORD}"]}
    more = _volumes(name="up", gcs=gcs)
    world = _world(["serve"], "plain", container=more["container"])
    world["projects"]["p1"]["services"]["api"]["template"]["api"]["volumes"] = more["volumes"]
    world["projects"]["p1"]["secrets"]["api-key"]["versions"] = [WORD]
    doc, text = _plan(tmp_path, world, "--include-plain-credentials")
    assert WORD not in text, text
    assert "mountOptions holds a secret value" in doc["driftNotAppliable"], doc
