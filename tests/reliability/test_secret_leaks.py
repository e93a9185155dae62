"""The secret leak guarantee: every secret in the world holds a recognisable marker, a few
plain variables hold credential-looking values, and none of them appears in any output
format, `--output`/`--sarif` file, the GitHub step summary, the journal (secrets), the logs
at `--verbose`, or the text of any error, across check, probe, plan, fix and rollback (the
command line as users run it, `tests.cliutil.drift`, against the sandbox, including failures
whose server message quotes a secret)."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox, default_scenario_path, mint_test_jwt
from tests.cliutil import REPO, drift

PROJECT = "acme-chat-staging"
SECRET_MARK = "leakmark"  # every secret value starts with it: a truncated copy is caught too
PLAIN_MARK = "plainmark"
PLAIN_CREDENTIALS = {
    "STRIPE_API_KEY": f"sk_live_{PLAIN_MARK}0123456789abcdef",
    "CACHE_URL": f"redis://cache:{PLAIN_MARK}pass42@10.24.0.9:6379/0",
    "SESSION_TOKEN": f"{PLAIN_MARK}-session-7d6c5b4a3f2e1d0c",
    # a credential assigned inside a value whose name says nothing: only its value is masked
    "EXTRA_ARGS": f"--db-password={PLAIN_MARK}Hunter2 --verbose",
    "JAVA_TOOL_OPTIONS": f"-Dspring.datasource.password={PLAIN_MARK}42 -Xmx512m",
    "APP_CONFIG": f'{{"user": "app", "password": "{PLAIN_MARK} pw"}}',
}
PROFILES = str(REPO / "profiles")


def marked_world() -> tuple[dict[str, Any], dict[tuple[str, int], str]]:
    """The default scenario with every secret value replaced by a marker, and credential-
    looking plain values on api; returns the scenario and the marker of each version."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(default_scenario_path().read_text())
    project = data["projects"][PROJECT]
    markers: dict[tuple[str, int], str] = {}
    for name, secret in project["secrets"].items():
        versions = []
        for number, version in enumerate(secret["versions"], start=1):
            spec = {"value": version} if isinstance(version, str) else copy.deepcopy(version)
            if spec.get("state") != "DESTROYED":
                spec["value"] = marker(name, number)
                markers[(name, number)] = spec["value"]
            versions.append(spec)
        secret["versions"] = versions
    env = project["services"]["api"]["template"]["env"]
    env.update(PLAIN_CREDENTIALS)
    env[COPY] = markers[COPIED]  # someone pasted a secret's value as a plain variable
    return dict(data), markers


def marker(name: str, number: int) -> str:
    """A secret version's value: letters and `-` only, a single word to the final scrub
    (`redact.scrub` leaves words alone), so that every path is checked on its own masking
    of the data, never saved by the scrub (revmatrix F1)."""
    letters = "".join(c for c in name if c.isalpha() or c == "-")
    return f"{SECRET_MARK}-{letters}-v{'abcdefghij'[number]}-quartzfjordvexingbawdy"


COPY = "OLD_SECRET_KEY"
COPIED = ("secret-key-staging", 3)
"""A plain copy on api of the secret its check reads (min_length): the journal records it as
it is (rollback puts plain values back byte for byte), the only place it may appear."""


@dataclass
class Leaks:
    """Every text drift produced, by where it came from."""

    secrets: list[str]
    texts: dict[str, str] = field(default_factory=dict)
    plain_copy: tuple[str, str] | None = None
    """A plain variable holding a secret's value (name, value): the journal records it as
    it is (rollback puts plain values back byte for byte), there only as that variable."""

    def add(self, where: str, done: subprocess.CompletedProcess[str]) -> None:
        assert "Traceback" not in done.stderr, (where, done.stderr)
        self.texts[f"{where} (stdout)"] = done.stdout
        self.texts[f"{where} (stderr)"] = done.stderr

    def add_files(self, where: str, directory: Path) -> None:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            self.texts[f"{where}: {path.name}"] = path.read_text(errors="replace")

    def found(self, *, plain: bool = True) -> list[str]:
        leaked = []
        for where, text in self.texts.items():
            lowered = text.lower()
            if "journal" in where and self.plain_copy:  # plain, as rollback puts it back
                name, value = map(re.escape, self.plain_copy)
                text = re.sub(rf'"name":\s*"{name}",\s*"value":\s*"{value}"', "", text)
                lowered = text.lower()
            if SECRET_MARK in lowered or any(s in text for s in self.secrets):
                leaked.append(f"secret in {where}")
            if plain and PLAIN_MARK in lowered and "journal" not in where:
                leaked.append(f"plain credential in {where}")
        return leaked


@pytest.fixture(scope="module")
def leak_world() -> Iterator[tuple[Sandbox, dict[tuple[str, int], str]]]:
    data, markers = marked_world()
    with Sandbox(data) as sandbox:
        yield sandbox, markers


def test_no_secret_leaks_anywhere(
    leak_world: tuple[Sandbox, dict[tuple[str, int], str]], tmp_path: Path
) -> None:
    sandbox, markers = leak_world
    token = mint_test_jwt(markers[("jwt-secret-staging", 2)])
    leaks = Leaks([*markers.values(), token], plain_copy=(COPY, markers[COPIED]))
    summary = tmp_path / "step-summary.md"
    env = {
        **sandbox.environ(),
        "ACME_TEST_JWT": token,
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    out = tmp_path / "out"
    out.mkdir()
    work = tmp_path / "work"  # the journal goes to work/.drift/journal
    work.mkdir()
    # the profiles are the repository's: without this the journal would go beside them
    env["DRIFT_JOURNAL_DIR"] = str(work / ".drift" / "journal")

    def run(where: str, *args: str) -> subprocess.CompletedProcess[str]:
        done = drift(*args, "--verbose", env=env, cwd=work, timeout=120)
        leaks.add(where, done)
        return done

    # every read-only command and format, side by side
    reads: list[tuple[str, ...]] = [
        ("check", "e2e", "--probe", "--format", "table"),
        ("check", "e2e", "--probe", "--format", "json"),
        ("check", "staging", "--format", "github", "--sarif", str(out / "check.sarif")),
        ("check", "staging", "--format", "markdown", "--output", str(out / "check.md")),
        ("check", "staging", "--format", "sarif", "--output", str(out / "out.sarif")),
    ]
    reads.extend(("probe", "e2e", "--format", fmt) for fmt in ("table", "json"))
    reads.extend(("plan", "e2e", "--format", fmt) for fmt in ("table", "json", "gcloud", "yaml"))
    reads.append(("fix", "e2e", "--dry-run"))
    reads.append(("plan", "e2e", "--out", str(out / "saved-plan.json")))
    # one after another, each in this process (`tests.inprocess`, which gives each run a
    # fresh `redact`): forked side by side from threads, they cost twice the CPU
    done = [run(" ".join(a), *a, "--profiles", PROFILES) for a in reads]
    assert [d.returncode for d in done[:5]] == [1] * 5, done[0].stderr
    report = json.loads(done[1].stdout)
    assert report["probes"] and report["findings"]  # the run really read and probed
    assert any(f["target"] == "env.STRIPE_API_KEY" for f in report["findings"])
    (copied,) = [f for f in report["findings"] if f["target"] == f"env.{COPY}"]
    assert copied["actual"] == "***", copied  # masked on the data: no scrub for a word

    # errors whose server message quotes a secret value drift has read
    key = markers[("secret-key-staging", 3)]
    sandbox.inject(Fault("GetIamPolicy", "PERMISSION_DENIED", message=f"denied: {key}"))
    failed = run("check, quoting error", "check", "staging", "-f", "json", "--profiles", PROFILES)
    assert failed.returncode == 1 and "denied: ***" in failed.stdout
    sandbox.clear_faults()
    sandbox.inject(Fault("UpdateService", "PERMISSION_DENIED", message=f"no: {key}"))
    # api: its check reads the value (min_length), so drift knows it is a secret
    refused = run("fix refused", "fix", "e2e", "--yes", "--service", "api", "--profiles", PROFILES)
    # an abort is an answer, printed with the result (the server's message scrubbed)
    assert refused.returncode == 4 and "PERMISSION_DENIED: no: ***" in refused.stdout
    sandbox.clear_faults()

    # a fix that goes through, then its rollback
    fixed = run("fix", "fix", "e2e", "--yes", "--profiles", PROFILES)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    rolled = run("rollback", "rollback", "--yes")
    assert rolled.returncode == 0, rolled.stderr
    listed = run("rollback --list", "rollback", "--list")
    assert listed.returncode == 0

    assert json.loads((out / "saved-plan.json").read_text())["saved"]["profile_digest"]
    leaks.add_files("output file", out)
    leaks.texts["step summary"] = summary.read_text()
    journal = work / ".drift" / "journal"
    assert len(list(journal.glob("*.json"))) == 4  # fix refused + fix of three services
    leaks.add_files("journal", journal)
    assert leaks.found() == []
    # the step summary and the logs are really there
    assert "drift" in leaks.texts["step summary"]
    assert "GetService" in leaks.texts["fix (stderr)"]  # --verbose logs the calls


# --- what a server echoes back, cut short (in process, against real sockets) ----------------

ECHOED = "Zq7v-leakmark-e2e-t0ken-0123456789abcdef"
"""A probe credential (`${E2E_TOKEN}` from the runner) that servers echo back, cut."""
CUTS = [4, 5, 7, 8, 13, 30, len(ECHOED) - 1]


def _echo_probe(handler: Any, **fields: Any) -> Any:
    from drift.probe.client import probe
    from tests.probe.helpers import run, target, tcp_server

    async def scenario() -> Any:
        async with tcp_server(handler) as base:
            return await probe(target(base, "/ws", **fields), environ={"E2E_TOKEN": ECHOED})

    return run(scenario())


@pytest.mark.parametrize("cut", CUTS)
def test_a_header_echoed_in_a_401_body_cut_at_200_bytes_is_masked(cut: int) -> None:
    """The server quotes the header it refused and cuts its body at 200 bytes, inside the
    value: what is left of it, from `CUT_MIN` characters on, is masked."""
    from tests.probe.helpers import read_request

    async def refuse(reader: Any, writer: Any, stop: Any) -> None:
        request = await read_request(reader)
        quoted = f"invalid X-Test-Token {request['x-test-token'][:cut]}"
        body = ("x" * (200 - len(quoted)) + quoted).encode()  # cut at 200, in the value
        writer.write(
            b"HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()

    result = _echo_probe(refuse, headers=(("X-Test-Token", "${E2E_TOKEN}"),))
    assert result.http_status == 401
    assert result.detail.endswith("invalid X-Test-Token ***")
    assert ECHOED[:4] not in repr(result)


@pytest.mark.parametrize("cut", CUTS)
def test_a_subprotocol_echoed_in_a_close_reason_cut_at_123_bytes_is_masked(cut: int) -> None:
    from tests.probe.helpers import accept_key, read_request, switching_protocols

    async def close(reader: Any, writer: Any, stop: Any) -> None:
        request = await read_request(reader)
        offered = request["sec-websocket-protocol"]
        writer.write(switching_protocols(accept_key(request["sec-websocket-key"]), offered))
        tail = f" rejected {offered[: len('jwt.') + cut]}"
        reason = "y" * (123 - len(tail)) + tail  # a reason at its limit, cut in the value
        payload = (1011).to_bytes(2, "big") + reason.encode()
        writer.write(bytes([0x88, len(payload)]) + payload)
        await writer.drain()
        await reader.read(1024)

    result = _echo_probe(close, subprotocols=("jwt.${E2E_TOKEN}",), hold=1.0)
    assert result.close_code == 1011
    assert result.close_reason.endswith("***")
    assert ECHOED[:4] not in repr(result)


# --- secret values that escaping changes, and values too short or common to search for ------

SPECIAL = {
    "quote": 'Pa"ss\\wörd|%x-leakmark-q1',
    "markdown": "p%25|x_*`[a]<b>&~ leakmark-q2",
    "newline": "first line\nleakmark-q3 second",
    # what `echo … | gcloud secrets create --data-file=-` stores: a trailing newline
    "trailing": "leakmark-q4-horse-staple\n",
}
TRAILING_AS_PLAIN = SPECIAL["trailing"].strip()
"""The same content held as a plain value by another variable."""
SHORT = {"flag": "true", "pin": "42", "word": "abc"}
API_LIVE = (
    "project: rel-project\nregion: us-central1\nservices:\n  api:\n    env:\n      MODE: live\n"
)
"""A profile's head: rel-project's api with MODE live (more variables follow, indent 6)."""
HOSTILE_PROFILE = (
    API_LIVE
    + """\
      TEST_MODE: "true"
      JWT: {secret: jwt, min_length: 64}
      KEY: {secret: key, pattern: "^never"}
      NOTE: {secret: note, one_of: [x]}
      FLAG: {secret: flag, one_of: ["yes"]}
      PIN: {secret: pin, min_length: 5}
      WORD: {secret: word, pattern: "^x"}
      TRAIL: {secret: trail, min_length: 64}
      LEGACY: x
"""
)


def hostile_world() -> dict[str, Any]:
    from ruamel.yaml import YAML

    from tests.reliability.conftest import SCENARIO

    data = YAML(typ="safe", pure=True).load(SCENARIO.read_text())
    project = data["projects"]["rel-project"]
    secrets = project["secrets"]
    accessor = {
        "roles/secretmanager.secretAccessor": [
            "serviceAccount:api@rel-project.iam.gserviceaccount.com"
        ]
    }
    values = {"jwt": SPECIAL["quote"], "key": SPECIAL["markdown"], "note": SPECIAL["newline"]}
    values["trail"] = SPECIAL["trailing"]
    for name, value in {**values, **SHORT}.items():
        secrets[name] = {"versions": [value], "iam": accessor}
    env = project["services"]["api"]["template"]["env"]
    env.update({"TEST_MODE": "false", "NOTE": {"secret": "note"}, "TRAIL": {"secret": "trail"}})
    env["LEGACY"] = TRAILING_AS_PLAIN
    env.update({name.upper(): {"secret": name} for name in SHORT})
    return dict(data)


def test_escaped_and_short_secret_values_leak_nowhere_and_break_nothing(tmp_path: Path) -> None:
    """Secrets holding `"`, `\\`, `%`, `|`, a newline and non-ASCII, quoted by a server error,
    reach no format, file or summary in any escaped form; secrets `true`, `42` and `abc` are
    masked where they are known (the findings about them) and never corrupt the JSON, the
    SARIF or the plain profile value "true"."""
    import jsonschema

    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "hostile.yaml").write_text(HOSTILE_PROFILE)
    schemas = REPO / "tests" / "data"
    report_schema = json.loads((schemas / "report.schema.json").read_text())
    sarif_schema = json.loads((schemas / "sarif-schema-2.1.0.json").read_text())
    summary = tmp_path / "summary.md"
    with Sandbox(hostile_world()) as sandbox:
        quoted = f"denied for {SPECIAL['quote']} and {SPECIAL['newline']}"
        sandbox.inject(Fault("GetIamPolicy", "PERMISSION_DENIED", message=quoted, match="/key"))
        env = {**sandbox.environ(), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
        leaks = Leaks([])
        outputs: dict[str, str] = {}
        for fmt in ("table", "json", "github", "sarif", "markdown"):
            out = tmp_path / f"out.{fmt}"
            args = ("check", "hostile", "--profiles", str(profiles), "--format", fmt)
            done = drift(*args, "--verbose", env=env, cwd=tmp_path)
            leaks.add(f"check --format {fmt}", done)
            assert done.returncode == 1, done.stderr
            outputs[fmt] = done.stdout
            to_file = drift(*args, "--output", str(out), env=env, cwd=tmp_path)
            leaks.add(f"check --format {fmt} --output", to_file)
            assert out.read_text() == done.stdout
        for args in (("plan", "hostile", "--format", "json"), ("fix", "hostile", "--dry-run")):
            leaks.add(" ".join(args), drift(*args, "--profiles", str(profiles), env=env))
    leaks.texts["step summary"] = summary.read_text()
    assert leaks.found() == []

    report = json.loads(outputs["json"])
    jsonschema.Draft202012Validator(report_schema).validate(report)
    jsonschema.Draft202012Validator(sarif_schema).validate(json.loads(outputs["sarif"]))
    assert '"ignored": false' in outputs["json"]
    by_target = {f["target"]: f for f in report["findings"]}
    assert by_target["env.TEST_MODE"]["expected"] == "true"  # a plain value, untouched
    assert by_target["env.TEST_MODE"]["actual"] == "false"
    for name in SHORT:  # each rule failed, and says so without the value
        finding = by_target[f"env.{name.upper()}"]
        assert finding["rule"] == "env.constraint"
        assert finding["actual"] in ("***", "*** (changed)"), finding
    (gap,) = report["unverified"]
    assert gap["reason"].endswith("denied for *** and ***")


def test_a_journal_note_quoting_a_cut_secret_keeps_none_of_it(tmp_path: Path) -> None:
    """A server's refusal recorded in the journal may quote a secret value cut short (an
    error message truncated inside it): what is left of it is masked in the file too."""
    from drift import redact
    from drift.fix.journal import Entry, Journal

    secret = "journal-s3cr3t-value-0451"
    redact.register(secret)
    journal = Journal(tmp_path / "journal").open()
    entry = Entry("c1", "e2e", "p", "r", "api", "projects/p/services/api", "e1", {}, "", "", [])
    journal.record(entry, "aborted", f"INVALID_ARGUMENT: bad value {secret[:11]}")
    text = journal.file(entry).read_text()
    assert "bad value ***" in text and secret[:8] not in text
