"""helper-769 B2 (failed before its fix): a secret pasted as two plain variables, where a half
holds a credential-shaped part (a .env file's `DB_PASSWORD=…` line, an authorized_user's
`client_secret`, a JWT's claims), was shown by `drift compare --live` with the rest of its text
in clear: `DB_HOST=…\\nDB_PASSWORD=***\\nGITHUB_PAT=ghp_…` (29 of the token's 40
characters). Its view was made before compare read the secret, through `mask_plain`, whose
`conceal` had already changed the text, and the half was then looked for as a start or end of
the payload in that changed text, which no longer is one. Alike, why an equal start is
`value.shared` (`points at the same backend (…)`) was said before the value was read, and never
looked at as a start. `check`, `plan`, `init` and `fix` mask the same halves whole. SPEC Safety
invariant 1: masked on the data (the raw value), never by editing rendered text."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox

ACCOUNT = "api@acme.iam.gserviceaccount.com"
GHP = "ghp_Nd5Kx8Qw2Rt6Zm9Lp3Vb7Hc1Fy4Gs0Ja6We2T"
ENV_FILE = (
    "DB_HOST=db.acme-env.internal\nDB_PASSWORD=Pv7Lm3Qz9Xk2Rw5T\n"
    f"GITHUB_PAT={GHP}\nLOG_LEVEL=info\n"
)
CLIENT_SECRET = "GOCSPX-Bq4Wn8Ez2Kr6Ty1Um5Io9Ap3"
REFRESH = "1//0hJk7Lm2Nb5Vc8Xz1Qw4Er7Ty0UiOpAs"
USER_JSON = json.dumps(
    {
        "type": "authorized_user",
        "client_id": "518273640912-8ks2m4q6w8e0r2t4y6u8i0o2p4a6s8d0.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH,
    }
)
PROJECT_ID, TOKEN = "Hw3Jk8Lq2Zx7Cv5B", "Rn6Tm1Yp4Ws9Ed2F"
SA_JSON = json.dumps({"type": "service_account", "project_id": PROJECT_ID, "token": TOKEN})


def _b64(data: dict[str, Any]) -> str:
    return (
        base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
        .decode()
        .rstrip("=")
    )


CLAIMS = _b64({"sub": "acme-deployer", "iat": 1764000000, "scope": "deploy"})
SIGNATURE = "Zk4Mq8Wt2Xr6Vn1Bp5Lc9Hd3Fs7Gy0Ju2Ke6Ao4Ti"
JWT = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{CLAIMS}.{SIGNATURE}"
SIGNING_KEY = "Tq5Wz8Mx3Lr7Vb2N"
JWT_FILE = f"SIGNING_KEY={SIGNING_KEY}\nISSUED={JWT}\n"

# payload, where it is cut into START and END, the secret parts no output may show any of
PAYLOADS: dict[str, tuple[str, int, list[str]]] = {
    # the start holds DB_PASSWORD=… (concealed) and 29 of the token's 40 characters
    "DOTENV": (ENV_FILE, ENV_FILE.index(GHP) + 29, ["Pv7Lm3Qz9Xk2Rw5T", GHP]),
    # the end holds the last 18 characters of client_secret and the refresh token
    "OAUTH": (USER_JSON, USER_JSON.index(CLIENT_SECRET) + 12, [CLIENT_SECRET, REFRESH]),
    # the start holds the JSON's project_id, its token concealed
    "SAJSON": (SA_JSON, SA_JSON.index(TOKEN) + 4, [PROJECT_ID, TOKEN]),
    # the start holds SIGNING_KEY=… (concealed), a JWT's header and 40 of its claims' characters
    "JWT": (JWT_FILE, JWT_FILE.index(CLAIMS) + 40, [SIGNING_KEY, CLAIMS, SIGNATURE]),
}


BACKEND_PASSWORD = "Kq8Wm2Xz7Lp4Rt9Vb3Nc"
BACKEND = f"10.20.30.40:6379 {BACKEND_PASSWORD}"  # a cache's address and its password
BACKEND_START = BACKEND[:-8]  # not credential-shaped: shown as it is before it is known


def _project(number: int, payloads: dict[str, str], plain: dict[str, str]) -> dict[str, Any]:
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    env: dict[str, Any] = {name: {"secret": name.lower()} for name in payloads}
    return {
        "number": number,
        # the same values on both sides, as secrets of their own: compare reads them all
        "secrets": {
            name.lower(): {"versions": [payload], "iam": grant}
            for name, payload in payloads.items()
        },
        "services": {"api": {"template": {"service_account": ACCOUNT, "env": env | plain}}},
    }


def _compare(
    make_sandbox: MakeSandbox,
    folder: Path,
    payloads: dict[str, str],
    plain: tuple[dict[str, str], dict[str, str]],
    *args: str,
) -> tuple[int, str, str]:
    """`drift compare ARGS --live` of prod and dev, each with a service reading `payloads`
    from secrets of its own and holding plain values (prod's, dev's): its exit code, what it
    printed, and that with its standard error."""
    world = {
        "projects": {
            "acme-prod": _project(111, payloads, plain[0]),
            "acme-dev": _project(222, payloads, plain[1]),
        }
    }
    sandbox = make_sandbox(world)
    refs = "".join(f"      {name}: {{secret: {name.lower()}}}\n" for name in payloads)
    for env in ("prod", "dev"):
        (folder / f"{env}.yaml").write_text(
            f"project: acme-{env}\nregion: us-central1\nservices:\n  api:\n    env:\n{refs}"
        )
    done = drift(
        "compare", *args, "--live", "--profiles", str(folder), env=sandbox.environ(), cwd=folder
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stdout + done.stderr


def _leaked(text: str, parts: list[str], n: int = 8) -> list[str]:
    """Each run of `n` characters of `parts` that `text` holds."""
    return sorted({p[i : i + n] for p in parts for i in range(len(p) - n + 1)} & _runs(text, n))


def _runs(text: str, n: int) -> set[str]:
    return {text[i : i + n] for i in range(len(text) - n + 1)}


@pytest.mark.parametrize("order", [("prod", "dev"), ("dev", "prod")])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_compare_live_shows_no_part_of_a_secret_split_in_two_plain_variables(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str, order: tuple[str, str]
) -> None:
    payloads = {name: payload for name, (payload, _, _) in PAYLOADS.items()}
    halves = {}  # pasted as two plain variables too, in prod only: `env.only_in`
    for name, (payload, cut, _) in PAYLOADS.items():
        halves[f"{name}_START"], halves[f"{name}_END"] = payload[:cut], payload[cut:]
    code, out, text = _compare(make_sandbox, tmp_path, payloads, (halves, {}), *order, "-f", fmt)
    assert code == 1, text
    if fmt == "json":
        document = json.loads(out)
        shown = {
            d["target"]: d["a"] if order[0] == "prod" else d["b"]
            for d in document["differences"]
            if d["kind"] == "env.only_in"
        }
        # every half is still said, masked whole as `check` masks it
        assert set(shown) == {f"env.{n}" for n in halves} and set(shown.values()) == {"***"}, shown
        # compare did read the values (they are the same on both sides)
        assert document["summary"]["by_kind"]["secret.shared"] == len(PAYLOADS), text
    leaked = {name: _leaked(text, parts) for name, (_, _, parts) in PAYLOADS.items()}
    assert {name: runs for name, runs in leaked.items() if runs} == {}, text


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_compare_live_says_no_part_of_a_secret_in_why_an_equal_start_is_shared(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    """Both sides hold the same start of a secret, which points at a backend: `value.shared`
    says so, and said why with the start as it is (`points at the same backend (10.20.30.40:
    6379 Kq8Wm2Xz7Lp4)`): the reason was made before the value was read, and the start was
    masked as a start in the difference's values only."""
    plain = {"CACHE": BACKEND_START}
    code, _, text = _compare(
        make_sandbox, tmp_path, {"CACHE_URL": BACKEND}, (plain, plain), "prod", "dev", "-f", fmt
    )
    assert code == 1 and "value.shared" in text and "env.CACHE" in text, text
    assert _leaked(text, [BACKEND_PASSWORD]) == [], text
