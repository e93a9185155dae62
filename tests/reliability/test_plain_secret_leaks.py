"""Plain values that must never be shown, in every command and format (real processes against
the sandbox): a plain value the profile says must be a secret (SPEC Findings: "any plain value
that is expected to be a secret"), plain values that look like credentials (README "What drift
never shows"), a copy of either in another variable, and a server's refusal quoting one."""

from __future__ import annotations

import subprocess

import pytest

from drift.sandbox import Fault
from tests.reliability.conftest import CliWorld, MakeCliWorld

SALT = "new-salt-plain-value-quartzfjord"
"""Plain on staging; the profile says it must be the secret signing-salt. Letters and `-`
only, like `KEY`: a single word, which the final scrub (`redact.scrub`) leaves alone, so that
every path is checked on its own masking of the data (revmatrix F1)."""
CRED = "sk_live_0123456789abcdefPLAINCRED"
REDIS_PW = "Qm-other-9z8y7x6w"
"""The password of a `redis://:PASSWORD@host` URL (empty user: redis-py's AUTH form)."""
KEY = "Kv-secret-payload-quartzfjordvexing"
"""The secret `key` in p1, and pasted as the plain `KEY_COPY` beside it."""

SCENARIO = f"""
options: {{seed: 2}}
projects:
  p1:
    number: 111111111111
    region: us-central1
    secrets:
      key:
        versions: ["{KEY}"]
        iam: {{roles/secretmanager.secretAccessor: [serviceAccount:api@p1.iam.gserviceaccount.com]}}
      signing-salt:
        versions: ["whatever-new-salt-0000000000"]
        iam: {{roles/secretmanager.secretAccessor: [serviceAccount:api@p1.iam.gserviceaccount.com]}}
    services:
      api:
        template:
          image: img:2
          service_account: api@p1.iam.gserviceaccount.com
          env:
            MODE: wrong
            KEY: {{secret: key}}
            STRIPE_API_KEY: {CRED}
            SIGNING_SALT: {SALT}
            LEGACY_SALT_COPY: {SALT}
            KEY_COPY: {KEY}
            CACHE_URL: "redis://:{REDIS_PW}@10.0.0.4:6379/0"
  p2:
    number: 222222222222
    region: us-central1
    secrets:
      signing-salt: {{versions: ["prod-salt-value-abcdef123"]}}
      key: {{versions: ["prod-key-value-abcdef456"]}}
    services:
      api:
        template:
          image: img:2
          env:
            MODE: live
            KEY: {{secret: key}}
            SIGNING_SALT: {{secret: signing-salt}}
"""
PROFILE = """
project: {project}
region: us-central1
services:
  api:
    unexpected_env: warn
    env:
      MODE: live
      KEY: {{secret: key, min_length: 8, optional: true}}
      SIGNING_SALT: {{secret: signing-salt}}
"""


@pytest.fixture
def world(cli_world: MakeCliWorld) -> CliWorld:
    return cli_world(
        SCENARIO, {"stg": PROFILE.format(project="p1"), "prd": PROFILE.format(project="p2")}
    )


def leaked(value: str, texts: dict[str, subprocess.CompletedProcess[str] | str]) -> list[str]:
    out = []
    for where, done in texts.items():
        text = done if isinstance(done, str) else done.stdout + done.stderr
        if value in text:
            out.append(where)
    return out


def test_a_value_the_profile_says_is_secret_is_never_shown(world: CliWorld) -> None:
    check = world.run("check", "stg", "--format", "json")
    assert '"actual": "***"' in check.stdout  # its own finding masks it ...
    texts = {
        " ".join(args): world.run(*args)
        for args in [
            ("check", "stg"),  # LEGACY_SALT_COPY's env.unexpected shows a copy of it
            ("plan", "stg"),
            ("plan", "stg", "--format", "json"),
            ("plan", "stg", "--format", "yaml"),
            ("plan", "stg", "--format", "gcloud"),
            ("fix", "stg", "--dry-run"),
            ("compare", "stg", "prd", "--live"),
            ("compare", "stg", "prd", "--live", "--format", "json"),
        ]
    }
    texts["check json"] = check
    # ... and so does everything else, its copy in another variable too
    assert leaked(SALT, texts) == []
    # a plain copy of the secret `key`, which check reads (min_length) and compare reads
    # (the two sides' `key` may hold one value): masked once read, in every output
    assert "KEY_COPY" in texts["compare stg prd --live"].stdout
    assert leaked(KEY, texts) == []
    yaml = texts["plan stg --format yaml"].stdout
    assert "LEGACY_SALT_COPY holds a secret value: not printed" in yaml  # not appliable


def test_rollback_does_not_print_the_plaintext_secret_it_restores(world: CliWorld) -> None:
    """`drift fix` moves SIGNING_SALT to its secret; rollback puts the plain value back, and
    its list of differences names it masked (the rollback does not read the profile)."""
    texts = {}
    for args in (
        ("fix", "stg", "--yes", "--no-verify"),
        ("history", "stg"),
        ("rollback", "--yes"),
    ):
        texts[" ".join(args)] = done = world.run(*args)
        assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "restored api" in texts["rollback --yes"].stdout
    assert "env.SIGNING_SALT: *** → *** (changed)" in texts["rollback --yes"].stdout
    assert leaked(SALT, texts) == []


def test_a_plain_credential_quoted_by_a_refusal_is_masked(world: CliWorld) -> None:
    world.sandbox.inject(
        Fault("UpdateService", "INVALID_ARGUMENT", message=f"env[2].value '{CRED}' is invalid")
    )
    dry = world.run("fix", "stg", "--dry-run")
    fix = world.run("fix", "stg", "--yes", "--no-verify")
    assert (dry.returncode, fix.returncode) == (2, 4)
    assert "INVALID_ARGUMENT: env[2].value '***' is invalid" in fix.stdout
    assert leaked(CRED, {"fix --dry-run": dry, "fix --yes": fix}) == []


def test_a_redis_url_with_a_password_looks_like_a_credential(world: CliWorld) -> None:
    """`scheme://:PASSWORD@host`: a URL with a password and an empty user."""
    texts: dict[str, subprocess.CompletedProcess[str] | str] = {
        " ".join(args): world.run(*args)
        for args in [
            ("check", "stg"),
            ("check", "stg", "--format", "json"),
            ("plan", "stg", "--format", "yaml"),
            ("compare", "stg", "prd", "--live"),
        ]
    }
    assert '"target": "env.CACHE_URL"' in texts["check stg --format json"].stdout
    init = world.run("init", "drafted", "--from-live", "--project", "p1", "--region", "us-central1")
    assert init.returncode == 0, init.stdout + init.stderr
    texts["init"] = init
    texts["init's profile"] = (world.root / "profiles" / "drafted.yaml").read_text()
    assert leaked(REDIS_PW, texts) == []


def test_a_cut_secret_quoted_inside_a_sentence_is_masked(world: CliWorld) -> None:
    """The server's message ends in the secret cut after 6 characters: masked as an echo
    (`redact.CUT_MIN`) even though drift's sentence goes on after it."""
    world.sandbox.inject(Fault("UpdateService", "INVALID_ARGUMENT", message=f"bad value {KEY[:6]}"))
    fix = world.run("fix", "stg", "--yes", "--no-verify")
    assert fix.returncode == 4
    assert "INVALID_ARGUMENT: bad value ***); nothing was changed" in fix.stdout
    assert KEY[:6] not in fix.stdout + fix.stderr


def test_history_does_not_show_a_copy_of_a_value_the_profile_says_is_secret(
    world: CliWorld,
) -> None:
    world.sandbox.set_env("p1", "api", "LEGACY_SALT_COPY", None)  # a revision that drops it
    history = world.run("history", "stg")
    assert history.returncode == 0, history.stdout + history.stderr
    assert "LEGACY_SALT_COPY" in history.stdout
    assert leaked(SALT, {"history": history}) == []
