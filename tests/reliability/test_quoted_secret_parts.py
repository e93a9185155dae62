"""Parts of secret values quoted by a server error are masked everywhere (SPEC Safety
invariant 1):

- a Secret Manager value that is not UTF-8 but holds readable text (a keystore, DER with
  names in it, a binary key with a label): its readable runs, whole or cut short, the way a
  text-only server shows such bytes (revleak 1). Before, the value was known only as
  `\\ufffebinary:<hex>` and as its replacement-decoded text, which starts with `\\ufffd` and so
  matched no quote of its text;
- a text secret's prefix cut short, in the plan's "incomplete:" lines (every plan format,
  `check`'s `fix_commands` in JSON and Markdown): those quoted the reason masked as drift's
  own text, where a cut-off prefix is not looked for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grpc

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.reliability.test_secret_leaks import API_LIVE, hostile_world

TEXT_PART = "S3CR3T-bin-7f3a9c1e5b2d4f6a"
LABEL = "acme signing key 2026"
"""A second readable run, after a control byte (as DER's length bytes stand before a name)."""
BINARY = b"\xff\xfe" + TEXT_PART.encode() + b"\x80\x0c\x15" + LABEL.encode() + b"\x00\x01"
PROFILE = API_LIVE + "      BIN: {secret: bin, min_length: 100}\n"


def bin_profiles(tmp_path: Path, text: str = PROFILE) -> Path:
    """A profiles folder in `tmp_path` whose `bin.yaml` holds `text`."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "bin.yaml").write_text(text)
    return profiles


def _world() -> dict[str, Any]:
    data = hostile_world()
    project = data["projects"]["rel-project"]
    accessor = project["secrets"]["jwt"]["iam"]
    project["secrets"]["bin"] = {"versions": ["placeholder-replaced-below"], "iam": accessor}
    project["services"]["api"]["template"]["env"]["BIN"] = {"secret": "bin"}
    return data


def add_version(sandbox: Sandbox, secret: str, data: bytes) -> None:
    """A version holding `data`, added through the API (a scenario file holds text)."""
    from google.cloud import secretmanager_v1
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    channel = grpc.insecure_channel(sandbox.address)
    try:
        client = secretmanager_v1.SecretManagerServiceClient(
            transport=SecretManagerServiceGrpcTransport(channel=channel)
        )
        client.add_secret_version(parent=secret, payload={"data": data})
    finally:
        channel.close()


def test_a_binary_secret_s_text_quoted_by_a_server_is_masked(tmp_path: Path) -> None:
    profiles = bin_profiles(tmp_path)
    # the server quotes the value's readable runs, whole and cut short
    quote = f"denied: {TEXT_PART} ({LABEL}); was {TEXT_PART[:12]}…"
    texts = {}
    with Sandbox(_world()) as sandbox:
        add_version(sandbox, "projects/rel-project/secrets/bin", BINARY)
        sandbox.inject(Fault("GetIamPolicy", "PERMISSION_DENIED", message=quote, match="/bin"))
        for fmt in ("json", "table", "github", "sarif", "markdown"):
            done = drift(
                "check", "bin", "--profiles", str(profiles), "-f", fmt, "-v",
                env=sandbox.environ(), cwd=tmp_path,
            )  # fmt: skip
            texts[fmt], texts[f"{fmt} (stderr)"] = done.stdout, done.stderr
    report = json.loads(texts["json"])
    assert any(f["target"] == "env.BIN" for f in report["findings"])  # the value was read
    reasons = [u["reason"] for u in report["unverified"]]
    assert any("denied: *** (***); was ***" in r for r in reasons), reasons
    for piece in (TEXT_PART, TEXT_PART[:12], LABEL):
        assert [where for where, text in texts.items() if piece in text] == [], piece


TEXT_SECRET = "Qv8-text-secret-0a1b2c3d4e5f"


def test_a_text_secret_s_cut_prefix_quoted_by_a_server_is_masked_in_the_plans(
    tmp_path: Path,
) -> None:
    profiles = bin_profiles(tmp_path)
    data = _world()
    data["projects"]["rel-project"]["secrets"]["bin"]["versions"] = [TEXT_SECRET]
    cut = TEXT_SECRET[:13]
    texts = {}
    with Sandbox(data) as sandbox:
        sandbox.inject(
            Fault("GetIamPolicy", "PERMISSION_DENIED", message=f"was {cut}…", match="/bin")
        )
        runs = [("check", "bin", "-f", fmt) for fmt in ("json", "markdown")]
        runs += [("plan", "bin", "--format", fmt) for fmt in ("table", "json", "yaml", "gcloud")]
        runs.append(("fix", "bin", "--dry-run"))
        for args in runs:
            done = drift(*args, "--profiles", str(profiles), env=sandbox.environ(), cwd=tmp_path)
            texts[" ".join(args)] = done.stdout + done.stderr
    assert "PERMISSION_DENIED: was ***" in texts["plan bin --format table"]
    assert [where for where, text in texts.items() if cut in text] == []
