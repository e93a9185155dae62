"""A password, secret or token assigned inside a plain value (`--db-password=…`,
`-Dspring.datasource.password=…`, `Pwd=…;`, `"password": "…"`, `token: …`) is a credential,
whatever the variable's name (`EXTRA_ARGS`, `JAVA_TOOL_OPTIONS`): only its value is masked
(`--db-password=*** --verbose`), on the data, so that `check` (every format), `plan` (every
format) and `compare` (table, JSON) show the rest and never the credential. A key that only
mentions such a word (`password_min_length=8`, `max_tokens=4096`, `--pass-through=on`) or a
placeholder (`$(DB_PASS)`, `${DB_PASS}`) is none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drift import credentials
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox

SHOWN_AS = {
    "--db-password=Fak3Hunter2xyz --verbose": "--db-password=*** --verbose",
    "-Dspring.datasource.password=Fak3Spring99 -Xmx1g": "-Dspring.datasource.password=*** -Xmx1g",
    "Server=db;Uid=app;Pwd=Fak3Semi77;": "Server=db;Uid=app;Pwd=***;",
    '{"user": "app", "password": "Fak3 Json Pw"}': '{"user": "app", "password": "***"}',
    "db:\n  user: app\n  password: Fak3Yaml55\n": "db:\n  user: app\n  password: ***\n",
    "--user app --token=Fak3Tok3n --v": "--user app --token=*** --v",
    "?user=app&password=Fak3Query1&sslmode=require": "?user=app&password=***&sslmode=require",
    "dbPassword=Fak3Camel1 clientSecret: Fak3Camel2": "dbPassword=*** clientSecret: ***",
    "--api-key=Fak3Key99 --secret 'Fak3 quoted'": "--api-key=*** --secret '***'",
    "--db-password Fak3Flag55 --verbose": "--db-password *** --verbose",
    "{password: Fak3Flow1, user: app}": "{password: *** user: app}",
    "pwd=abc": "pwd=***",  # short: a password all the same
}
"""Live value -> as shown (`EXTRA_ARGS`, a name that says nothing)."""
NOT_CREDENTIALS = [
    "password_min_length=8 --pass-through=on bypass=x --password --verbose",
    "max_tokens=4096 token_type=bearer secret_name=db ByPass=fast --token-file /x",
    "--password=$(DB_PASS) password=${DB_PASSWORD} secret=true token: 3600 pwd=***",
    "Forgot your password? Click here",
]
"""The key only mentions the word, or the value is harmless, a placeholder or a mask."""
FAKES = ["Fak3Hunter2xyz", "Fak3Spring99", "Fak3Semi77", "Fak3 Json Pw", "Fak3Yaml55"]
FAKES += [
    "Fak3Flag55",
    "Fak3Flow1",
    "Fak3Tok3n",
    "Fak3Query1",
    "Fak3Camel",
    "Fak3Key99",
    "Fak3 quoted",
]


@pytest.mark.parametrize(
    ("value", "shown"), [*SHOWN_AS.items(), *((v, v) for v in NOT_CREDENTIALS)]
)
def test_only_the_value_of_an_assigned_credential_is_masked(value: str, shown: str) -> None:
    assert credentials.conceal("EXTRA_ARGS", value) == shown
    assert credentials.conceal("EXTRA_ARGS", value, by_name=False) == shown
    assert credentials.credential_shaped(value) is (shown != value)
    assert credentials.hidden_plain("EXTRA_ARGS", value) is (shown != value)


def test_a_credential_as_a_whole_or_by_name_is_still_masked_whole() -> None:
    """A URL with a password, a provider's token, or a password's variable: `***` as before."""
    assert credentials.conceal("X", "https://u:Fak3Pw0rd@h/v1?token=Fak3Tok3n") == "***"
    assert credentials.conceal("DB_PASSWORD", "--db-password=x") == "***"
    assert credentials.conceal("DB_PASSWORD", "hunter2", by_name=False) == "hunter2"
    dsn = "postgres://app:$(DB_PASS)@10.0.0.3/db?password=Fak3Other1"  # a reference, and one not
    assert credentials.conceal("UPSTREAM", dsn) == dsn.replace("Fak3Other1", "***")


@settings(max_examples=300)
@example(before="--db-", word="password", sep="=", after="x")
@example(before='{"', word="Secret", sep='": "', after="x y")
@example(before="--", word="pa\u017f\u017fword", sep="=", after="x")  # RE2 folds ſ to s
@given(
    before=st.text(alphabet="abDX_-. ;&\"'{", max_size=12),
    word=st.sampled_from(["password", "Pass", "PWD", "Token", "secret", "apiKey", "key", "x"]),
    sep=st.sampled_from(["=", ": ", '"=', " = ", ":", "", "_x=", " ", "\t"]),
    after=st.text(alphabet="abX19$(){}*'\" ;&-", max_size=20),
)
def test_the_quick_look_for_assigned_credentials_decides_as_the_whole_pattern(
    before: str, word: str, sep: str, after: str
) -> None:
    """Values without a word of `_ASSIGNED_HINT` are not searched with the RE2 pattern (every plain
    value read is looked at): it must find nothing the whole pattern finds."""
    value = before + word + sep + after
    if credentials._assigned().search(value) is not None:
        assert credentials._assigned_hint(value), value


def _scenario(env: dict[str, str]) -> dict[str, Any]:
    template = {"image": "europe-west1-docker.pkg.dev/p1/app/api:1", "env": env}
    project = {"number": 222222222222, "region": "europe-west1"}
    return {"projects": {"p1": {**project, "services": {"api": {"template": template}}}}}


def said_by_check_and_plan(
    env: dict[str, str], profiles: Path, plan_formats: tuple[str, ...]
) -> dict[str, str]:
    """What `drift check e` (drift found: exit 1) says in every format and `drift plan e` in
    `plan_formats`, by command and format."""
    where = ("--profiles", str(profiles))
    texts = {}
    for fmt in ("table", "json", "github", "sarif", "markdown"):
        done = drift("check", "e", *where, "--format", fmt, env=env)
        assert done.returncode == 1, done.stdout + done.stderr
        texts[f"check {fmt}"] = done.stdout + done.stderr
    for fmt in plan_formats:
        done = drift("plan", "e", *where, "--format", fmt, env=env)
        texts[f"plan {fmt}"] = done.stdout + done.stderr
    return texts


def test_check_and_plan_show_the_rest_of_the_value_in_every_format(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Unexpected variables (`unexpected_env: warn`) are shown with the credential masked;
    one the profile gives another value (itself holding a password) is `*** (changed)`."""
    live = {f"V{i}": value for i, value in enumerate(SHOWN_AS)}
    live |= {"CONN": "Server=db;Pwd=Fak3Semi77;", "LOG_LEVEL": "DEBUG"}
    sandbox = make_sandbox(_scenario(live))
    (tmp_path / "e.yaml").write_text(
        "project: p1\nregion: europe-west1\nservices:\n  api:\n    unexpected_env: warn\n"
        '    env:\n      LOG_LEVEL: INFO\n      CONN: "Server=db;Pwd=Fak3Other11;"\n'
    )
    texts = said_by_check_and_plan(sandbox.environ(), tmp_path, ("table", "json", "gcloud", "yaml"))
    leaked = [(w, s) for w, text in texts.items() for s in [*FAKES, "Fak3Other11"] if s in text]
    assert leaked == [], texts[leaked[0][0]]
    findings = json.loads(texts["check json"])["findings"]
    actual = {f["target"]: f["actual"] for f in findings}
    assert actual["env.V0"] == "--db-password=*** --verbose"
    assert actual["env.CONN"] == "*** (changed)"
    assert {f["expected"] for f in findings if f["target"] == "env.CONN"} == {"Server=db;Pwd=***;"}
    assert "-Dspring.datasource.password=*** -Xmx1g" in texts["check table"]
    assert "--db-password=*** --verbose" in texts["plan yaml"]  # the rest is still there


def test_compare_shows_the_rest_of_the_value_in_table_and_json(tmp_path: Path) -> None:
    """`EXTRA_ARGS="--db-password=… --verbose"` only in staging (revcompare S1)."""
    (tmp_path / "staging.yaml").write_text(
        "project: acme-staging\nregion: us-central1\nservices:\n  api: {}\n"
    )
    (tmp_path / "e2e.yaml").write_text(
        "project: acme-e2e\nregion: europe-west1\nservices:\n  api: {}\n"
    )
    scenario = REPO / "tests" / "data" / "compare" / "plain_credentials.yaml"
    with Sandbox(scenario) as sandbox:
        texts = [
            drift(
                "compare",
                "staging",
                "e2e",
                "--live",
                "--profiles",
                str(tmp_path),
                "--format",
                fmt,
                env=sandbox.environ(),
            )  # fmt: skip
            for fmt in ("table", "json")
        ]
    assert [t.returncode for t in texts] == [1, 1], texts[0].stdout + texts[0].stderr
    for done in texts:
        assert "Fak3" not in done.stdout + done.stderr
    (extra,) = [d for d in json.loads(texts[1].stdout)["differences"] if "EXTRA" in d["target"]]
    assert (extra["a"], extra["b"]) == ("--db-password=*** --verbose", None)
    assert "--db-password=*** --verbose" in texts[0].stdout


def test_compare_of_profiles_shows_the_rest_of_the_value(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "project: p-a\nregion: us-central1\nservices:\n  api:\n    env:\n"
        '      JAVA_TOOL_OPTIONS: "-Dspring.datasource.password=Fak3Spring99 -Xmx1g"\n'
    )
    (tmp_path / "b.yaml").write_text("project: p-b\nregion: us-central1\nservices:\n  api: {}\n")
    done = drift("compare", "a", "b", "--profiles", str(tmp_path), "-f", "json")
    (only,) = json.loads(done.stdout)["differences"]
    assert only["a"] == "-Dspring.datasource.password=*** -Xmx1g", only
