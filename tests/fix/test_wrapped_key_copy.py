"""A service account key copied into a plain variable as its base64 in lines (a YAML document's
`key_file: |` block): masked whole in every format at any width, also where a piece's encoding
(the private_key_id's) lies whole in one of the lines (helper-669 F5)."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fix.conftest import copy_world

LAB = "lab-wrapped"
rng = random.Random(0)
BODY = base64.b64encode(bytes([rng.randrange(256) for _ in range(1190)][:300])).decode()
"""The private key's body: 300 of the 1,190 bytes a 2048-bit key's has (5 lines of the PEM, not
17; the key's base64 1,036 characters, not 2,668), which every masking and journal step here
searches in each of its forms. The 1,190 are still drawn: the ids after it are the same, and
the private_key_id stands where it stood (the 56 and 100 of helper-669 F5); the notes of
`ASKED` keep their `/` and `+` (the same length modulo 3)."""
PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    + "\n".join(BODY[i : i + 64] for i in range(0, len(BODY), 64))
    + "\n-----END PRIVATE KEY-----\n"
)
KEY = json.dumps(
    {
        "type": "service_account",
        "project_id": LAB,
        "private_key_id": "".join(rng.choice("0123456789abcdef") for _ in range(40)),
        "private_key": PEM,
        "client_email": f"deployer@{LAB}.iam.gserviceaccount.com",
        "client_id": "".join(rng.choice("0123456789") for _ in range(21)),
        "token_uri": "https://oauth2.googleapis.com/token",
    },
    indent=2,
)
B64 = base64.b64encode(KEY.encode()).decode()
ASKED = KEY[:-2] + ',\n  "notes": "' + "why? how?? a>b>>c " * 6 + '"\n}'
"""The key with a field holding `?` and `>`, whose bytes make `/` and `+` in its base64 (an
ASCII text's base64 holds few else)."""
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    unexpected_env: warn\n"
    "    env:\n      MODE: live\n      SA_KEY: {secret: sa-key, min_length: 8}\n"
)


def _world(boot: str, key: str = KEY) -> dict[str, Any]:
    env = {"MODE": "old", "SA_KEY": {"secret": "sa-key"}, "APP_BOOTSTRAP": boot}
    return copy_world(LAB, "sa-key", key, env)


def _key_lines(text: str, key: str = KEY) -> int:
    """How many 40-char runs of the key's base64 (as wrapped) the output holds, whatever
    escapes it (`\\/`, a YAML block's indent)."""
    b64 = base64.b64encode(key.encode()).decode()
    flat = re.sub(r"\\u000[aAdD]|%0[aAdD]|<br(?: ?/)?>|\\[rn]|\s|\\", "", text)
    return sum(1 for i in range(0, len(b64) - 40, 40) if b64[i : i + 40] in flat)


def _bootstrap(width: int) -> str:
    """A YAML document whose `key_file: |` block is the key's base64 in lines of `width`
    (`fold -w WIDTH`), indented by two."""
    wrapped = "\n".join(B64[i : i + width] for i in range(0, len(B64), width))
    return "mode: prod\nregion: us-central1\nkey_file: |\n  " + wrapped.replace("\n", "\n  ") + "\n"


@pytest.mark.parametrize("width", [8, 56, 100])
def test_a_key_file_in_lines_is_masked_whole_in_every_format(
    make_sandbox: MakeSandbox, tmp_path: Path, width: int
) -> None:
    """The private_key_id's base64 lies whole in one of the lines at 56 and 100: masked
    first, its mask cut the run of lines in two, neither half held the key's whole base64,
    and the private key was printed in clear (helper-669 F5). Lines of 8 (`fold -w 8`) were
    no run at all (helper-679 F6)."""
    sandbox = make_sandbox(_world(_bootstrap(width)))
    for fmt in ("table", "json", "github", "markdown", "sarif"):
        done = drift_on(sandbox, tmp_path, ("lab", PROFILE), "check", "lab", "--format", fmt)
        out = done.stdout + done.stderr
        assert "Traceback" not in out and "APP_BOOTSTRAP" in out, (fmt, out[-2000:])
        assert _key_lines(out) == 0, fmt


JSON_LINES = {  # (the key, the width of its lines, how the JSON string's encoder writes them,
    # the code of their breaks in the journal)
    "jq": (KEY, 76, str, "N"),
    "jq-fold8": (KEY, 8, str, "N"),  # helper-679 F6
    "php": (ASKED, 76, lambda text: text.replace("/", "\\/"), "N"),  # json_encode: helper-679 F6
    "dotnet": (ASKED, 76, lambda text: text.replace("+", "\\u002B"), "N"),  # JavaScriptEncoder
    # helper-686 M3, shown whole: that JSON text in a JSON string (`\\\\n`), its breaks as
    # `\\u000a`, in a URL's query or a form's body (`%0A`), in HTML (`<br>`)
    "json-in-json": (KEY, 76, json.dumps, "j"),
    "u000a": (KEY, 76, lambda text: text.replace("\\n", "\\u000a"), "u"),
    "url": (KEY, 76, lambda text: text.replace("\\n", "%0A"), "P"),
    "html": (KEY, 76, lambda text: text.replace("\\n", "<br>"), "b"),
}


@pytest.mark.parametrize("encoder", JSON_LINES)
def test_a_key_file_in_lines_inside_a_json_string_is_masked_withheld_and_restored(
    make_sandbox: MakeSandbox, tmp_path: Path, encoder: str
) -> None:
    """`jq -n --arg k "$(base64 key.json)" '{bootstrap: $k}'`: the lines of 76 put in one JSON
    string, each break escaped (`\\n`): masked in every format, withheld from the journal by
    its form and its breaks, and given back exactly by a rollback (helper-669 F9); in lines of
    8, by PHP's json_encode (`/` as `\\/`) or .NET's encoder (`+` as `\\u002B`), the same
    (helper-679 F6: shown)."""
    key, width, escaped, code = JSON_LINES[encoder]
    b64 = base64.b64encode(key.encode()).decode()
    wrapped = "\n".join(b64[i : i + width] for i in range(0, len(b64), width))
    boot = escaped(json.dumps({"mode": "prod", "bootstrap": wrapped}))
    sandbox = make_sandbox(_world(boot, key))
    profile = ("lab", PROFILE)
    for fmt in ("table", "github", "markdown", "sarif"):
        done = drift_on(sandbox, tmp_path, profile, "check", "lab", "--format", fmt)
        out = done.stdout + done.stderr
        assert "APP_BOOTSTRAP" in out and _key_lines(out, key) == 0, fmt
    fixed = drift_on(sandbox, tmp_path, profile, "fix", "lab", "--yes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    (journal,) = (tmp_path / ".drift" / "journal").glob("*.json")
    data = json.loads(journal.read_text())
    held = b"".join(base64.b64decode(data[f]) for f in ("service_before_pb", "base_template_pb"))
    # the proto fields' own base64 may share a run with the key's where both hold a public
    # name at one alignment (the client_email is the service's creator): looked at decoded
    readable = json.dumps({k: v for k, v in data.items() if not k.endswith("_pb")})
    assert _key_lines(held.decode("utf-8", "replace") + readable, key) == 0
    forms = {p["form"] for r in data["withheld"] for p in r["pieces"] if isinstance(p, dict)}
    assert any(f.startswith("whole/base64") and f.endswith(f":{code}") for f in forms), forms
    back = drift_on(sandbox, tmp_path, profile, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    env = sandbox.service(LAB, "app").template.containers[0].env
    assert {v.name: v.value for v in env if v.name == "APP_BOOTSTRAP"} == {"APP_BOOTSTRAP": boot}


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Path]]:
    """`drift fix lab --yes` run once on the jq-wrapped key's world: its sandbox, and the
    folder (profile, journal) it ran in, which each test below copies and edits. The same
    run on the same world was made by each of them (0.5 s of CPU each); a rollback they make
    changes nothing (each asserts so), so each starts from what the fix left."""
    boot = json.dumps(
        {"mode": "prod", "bootstrap": "\n".join(B64[i : i + 76] for i in range(0, len(B64), 76))}
    )
    folder = tmp_path_factory.mktemp("fixed")
    with Sandbox(_world(boot)) as sandbox:
        done = drift_on(sandbox, folder, ("lab", PROFILE), "fix", "lab", "--yes")
        assert done.returncode == 0, done.stdout + done.stderr
        yield sandbox, folder


@pytest.mark.parametrize(
    "form",
    [
        "whole/base64@" + "9" * 5000 + ":n",  # was "internal error: ValueError", exit 2
        "whole/base64@76:x",
        'piece-of/["x", "NFD", 5]',
        "whole/base64#999999999",
    ],
)
def test_a_form_drift_does_not_write_is_refused_in_one_message(
    fixed: tuple[Sandbox, Path], tmp_path: Path, form: str
) -> None:
    """A journal edited by hand (its checksum made again) whose withheld copy names a form
    drift does not write: one message saying so, exit 4, nothing written (helper-686 L1: a
    spelling of 5000 digits was an internal error; the others said "no longer holds text" of
    a version that holds it)."""
    sandbox, folder = fixed
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    profile = ("lab", PROFILE)
    (path,) = (tmp_path / ".drift" / "journal").glob("*.json")
    data = json.loads(path.read_text())
    for record in data["withheld"]:
        for piece in record["pieces"]:
            if isinstance(piece, dict):
                piece["form"] = form
    raw = json.dumps(data).encode()
    path.write_bytes(raw)
    path.with_name(path.name + ".sha256").write_text(hashlib.sha256(raw).hexdigest())
    sandbox.clear_calls()
    back = drift_on(sandbox, tmp_path, profile, "rollback", "--yes")
    out = " ".join((back.stdout + back.stderr).split())
    assert back.returncode == 4, out
    assert "internal error" not in out and "no longer holds text" not in out, out
    assert "`APP_BOOTSTRAP` (container `app-1`): the journal names its copy of " in out, out
    assert "in a form drift does not write: nothing was changed" in out, out
    assert not [c for c in sandbox.calls if c.short.startswith("Update")], sandbox.calls
