"""More ways a password is written inside a plain value, each masked to the end of its value
and never copied by `drift init` (revown8 1 and 2): an ODBC value in braces, which runs to
its closing brace (`}}` is an escaped `}`: MS-ODBCSTR, SQLDriverConnect), a key of one word
(`PGPASSWORD=`, `dbpassword=`, `adminpass=`, keytool's `-storepass`), a Ruby/Perl hash
(`password => '…'`), an XML element, a flag's value that begins with `-`, a `$` in a password,
an unclosed quote, an escaped quote. The look-alikes stay shown (`passthrough=1`,
`bypass=x`, `compass=north`), and a long value is still looked at in one pass of RE2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift import credentials, redact
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.format.test_assigned_credentials import said_by_check_and_plan

SHOWN_AS = {
    # ODBC / ADO.NET: a value holding `;` is in braces; `}}` is a `}` of the value
    "Server=db;Uid=app;Pwd={Fak3;Br4cedPw0rd};": "Server=db;Uid=app;Pwd={***};",
    "Driver={ODBC 18};Pwd={Fak3;b}};c};Encrypt=yes": "Driver={ODBC 18};Pwd={***};Encrypt=yes",
    "Uid=app;Pwd={Fak3;NeverClosed": "Uid=app;Pwd={***",
    # a key of one word that ends in a credential's word
    "PGPASSWORD=Fak3PgPw0rd psql -h db -U app": "PGPASSWORD=*** psql -h db -U app",
    "dbpassword=Fak3Db1 adminpass=Fak3A storepass=x": "dbpassword=*** adminpass=*** storepass=***",
    "-storepass Fak3St0rePw -keypass Fak3KeyPw0 -v": "-storepass *** -keypass *** -v",
    # Ruby / Perl / PHP hashes, Go's :=, XML
    "{ password => 'Fak3RubyPw0', user => 'app' }": "{ password => '***', user => 'app' }",
    "pass := Fak3GoPw0": "pass := ***",
    "<user>app</user><password>Fak3XmlPw0rd</password>": "<user>app</user><password>***</password>",
    '<ns:password enc="no">Fak3NsPw0</ns:password>': '<ns:password enc="no">***</ns:password>',
    # a flag's value that begins with `-` (a flag is `--x` or `-x`)
    "--password -Fak3Dash --verbose": "--password *** --verbose",
    # only `$(VAR)` is a reference Cloud Run fills in (and `${VAR}` a placeholder): `$x` is text
    "password=$Fak3Dollar": "password=***",
    "password=${DB_PASS:-Fak3Default}": "password=***",
    # an unclosed quote runs to the end of its line; an escaped quote does not close it
    'password="Fak3 Unclosed\nnext=1': 'password="***\nnext=1',
    '{"password": "Fak3\\"Esc4ped", "user": "app"}': '{"password": "***", "user": "app"}',
    # a look-alike's value is searched like the rest of the text
    'compass="north token=Fak3Tok9"': 'compass="north token=***"',
}
"""Live value -> as shown (`EXTRA_ARGS`, a name that says nothing)."""
LOOK_ALIKES = [
    "passthrough=1 bypass=true bypass=x ByPass=fast compass=north --lowpass 3k",
    "x.bypass=on surpass=all multipass=yes <compass>north</compass>",
    "--password -v --verbose password=${DB_PASSWORD} password=$(DB_PASS) pwd={$(DB_PASS)}",
    "<password></password> <password>\n</password> password=''",
]
"""Decided not credentials: the key only ends like one (`bypass`, `compass`, `surpass`, a
filter's `lowpass`), the next word is a flag, the value is a placeholder or empty."""


@pytest.mark.parametrize(("value", "shown"), [*SHOWN_AS.items(), *((v, v) for v in LOOK_ALIKES)])
def test_the_value_is_masked_to_its_end(value: str, shown: str) -> None:
    assert credentials.conceal("EXTRA_ARGS", value) == shown
    assert credentials.conceal("EXTRA_ARGS", value, by_name=False) == shown
    assert credentials.hidden_plain("EXTRA_ARGS", value) is (shown != value)


def test_a_password_with_escapes_is_also_masked_as_it_is() -> None:
    """`Pwd={Fak3;b}};c}` is the password `Fak3;b};c`: a server or a log that quotes it
    unescaped has it masked too."""
    pieces = credentials.credential_pieces("Pwd={Fak3;b}};cXyz};Encrypt=yes")
    assert pieces == ["Fak3;b}};cXyz", "Fak3;b};cXyz"]
    quoted = credentials.credential_pieces('{"password": "Fak3\\"Esc4ped"}')
    assert quoted == ['Fak3\\"Esc4ped', 'Fak3"Esc4ped']
    for piece in pieces:
        redact.register(piece)
    assert redact.mask("login failed for password 'Fak3;b};cXyz'") == (
        "login failed for password '***'"
    )


class _Counting:
    """The compiled `_ASSIGNED`, counting the passes over a text."""

    def __init__(self, pattern: Any) -> None:
        self.pattern, self.passes = pattern, 0
        self.groupindex = pattern.groupindex

    def finditer(self, text: str) -> Any:
        self.passes += 1
        return self.pattern.finditer(text)


def test_a_long_value_is_looked_at_in_one_linear_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cloud Run allows 32 KiB values and every plain value read is looked at: one without a
    credential's word is not searched at all, any other in one pass of RE2 (linear in the
    value), however many keys it holds or look-alikes it skips (no timing asserted here:
    tests/reliability/test_hostile_input.py has the time-boxed one)."""
    counting = _Counting(credentials._assigned())
    monkeypatch.setattr(credentials, "_assigned", lambda: counting)
    assert type(counting.pattern).__module__.startswith("re2")
    assert credentials.conceal("NOTES", "a=b " * 8192) == "a=b " * 8192
    assert counting.passes == 0
    many = "compass=north bypass={x password=Fak3 <password>Fak3</password> " * 512
    shown = credentials.conceal("NOTES", many[:32_768])
    assert "Fak3" not in shown and "compass=north" in shown
    assert counting.passes == 1


def _scenario(env: dict[str, str]) -> dict[str, Any]:
    template = {"image": "us-central1-docker.pkg.dev/acme-billing-prod/app/api:1", "env": env}
    project = {"number": 481516234200, "region": "us-central1"}
    return {
        "projects": {"acme-billing-prod": {**project, "services": {"api": {"template": template}}}}
    }


LIVE = {
    "CONN_STR": "Server=db;Uid=app;Pwd={Fak3;Br4cedPw0rd};",
    "START_CMD": "PGPASSWORD=Fak3PgPw0rd psql -h db -U app",
    "JAVA_OPTS": "-storepass Fak3St0rePw -keypass Fak3KeyPw0",
    "RUBY_OPTS": "{ password => 'Fak3RubyPw0' }",
    "SETTINGS_XML": "<server><password>Fak3XmlPw0rd</password></server>",
    "EXTRA_ARGS": "--password -Fak3Dash $HOME password=$Fak3Dollar",
}
FAKES = ["Br4cedPw0rd", "Fak3PgPw0rd", "Fak3St0rePw", "Fak3KeyPw0", "Fak3RubyPw0"]
FAKES += ["Fak3XmlPw0rd", "Fak3Dash", "Fak3Dollar"]


def test_check_plan_and_init_never_show_them(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """`check` in every format, `plan`, and the profile `init` drafts (which leaves each out,
    saying why)."""
    sandbox = make_sandbox(_scenario(LIVE | {"LOG_LEVEL": "DEBUG"}))
    (tmp_path / "e.yaml").write_text(
        "project: acme-billing-prod\nregion: us-central1\nservices:\n  api:\n"
        "    unexpected_env: warn\n    env:\n      LOG_LEVEL: INFO\n"
    )
    env = sandbox.environ()
    texts = said_by_check_and_plan(env, tmp_path, ("table", "yaml"))
    drafted = tmp_path / "drafted"
    done = drift(
        "init", "e", "--from-live", "--project", "acme-billing-prod", "--region", "us-central1",
        "--profiles", str(drafted), env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    texts["init"] = done.stdout + done.stderr
    texts["profile"] = profile = (drafted / "e.yaml").read_text()
    leaked = [(w, s) for w, text in texts.items() for s in FAKES if s in text]
    assert leaked == [], texts[leaked[0][0]]
    for name in LIVE:
        assert f"{name}: {{required: true}}  # looks like a credential" in profile
    actual = {f["target"]: f["actual"] for f in json.loads(texts["check json"])["findings"]}
    assert actual["env.CONN_STR"] == "Server=db;Uid=app;Pwd={***};"
    assert actual["env.START_CMD"] == "PGPASSWORD=*** psql -h db -U app"
