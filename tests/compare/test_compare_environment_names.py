"""When a value names an environment (`value.shared`, `value.foreign`): the whole value is its
name (`ENVIRONMENT=staging`), or the name is a word of an address, beside a separator of hosts,
URLs, paths and ids (`https://api.staging.example.com`, `projects/shop-staging/…`,
`events-staging`). A framework's mode in its mode variable (`NODE_ENV=production`, which the
shipped profiles/base.yaml sets for every environment) is no environment's name, nor is a word
of prose (`disabled in production`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.compare.markers import mentions
from tests.cliutil import drift

HEAD = "project: {}\nregion: us-central1\nservices:\n  web:"


def _compare(tmp_path: Path, staging: dict[str, str], production: dict[str, str]) -> set[str]:
    """`compare staging production` of web with these variables: kind, target, side."""
    for name, project, env in (
        ("staging", "shop-staging", staging),
        ("production", "shop-prod", production),
    ):
        lines = "".join(f"\n      {k}: {json.dumps(v)}" for k, v in env.items())
        body = f"\n    env:{lines}\n" if env else " {}\n"
        (tmp_path / f"{name}.yaml").write_text(HEAD.format(project) + body)
    done = drift("compare", "staging", "production", "--profiles", str(tmp_path), "-f", "json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    differences = json.loads(done.stdout)["differences"]
    return {f"{d['kind']} {d['target']} {d['side']}" for d in differences}


def test_node_env_production_in_both_is_no_shared_value(tmp_path: Path) -> None:
    """main: `value.shared` "NODE_ENV names production in both staging and production"."""
    both = {"NODE_ENV": "production", "RAILS_ENV": "production", "GIN_MODE": "release"}
    assert _compare(tmp_path, both, both) == set()


def test_node_env_production_in_staging_is_not_foreign(tmp_path: Path) -> None:
    """Where production leaves NODE_ENV to its image: main said staging's names production."""
    found = _compare(tmp_path, {"NODE_ENV": "production", "FLASK_ENV": "production"}, {})
    assert found == {"env.unsatisfied env.NODE_ENV a", "env.unsatisfied env.FLASK_ENV a"}


def test_an_address_or_name_of_the_other_environment_is_still_foreign(tmp_path: Path) -> None:
    prod = {
        "API_URL": "https://api.staging.example.com/v1",
        "TOPIC": "projects/shop-staging/topics/events",
        "BUCKET": "gs://assets-staging",
        "ENVIRONMENT": "staging",
        "RAILS_ENV": "staging",  # a mode variable, but not one of its framework's modes
        "JAVA_TOOL_OPTIONS": "-Dspring.profiles.active=staging",
        "NOTICE": "Data is reset nightly, as in staging",  # prose: nothing
    }
    found = _compare(tmp_path, {}, prod)
    foreign = {f for f in found if f.startswith("value.foreign")}
    assert foreign == {
        f"value.foreign env.{name} b"
        for name in ("API_URL", "TOPIC", "BUCKET", "ENVIRONMENT", "RAILS_ENV", "JAVA_TOOL_OPTIONS")
    }


def test_environment_production_in_staging_is_foreign(tmp_path: Path) -> None:
    """`ENVIRONMENT` is no framework's mode: production's name in staging is foreign."""
    found = _compare(tmp_path, {"ENVIRONMENT": "production", "NODE_ENV": "production"}, {})
    assert "value.foreign env.ENVIRONMENT a" in found
    assert "value.foreign env.NODE_ENV a" not in found


@pytest.mark.parametrize(
    ("text", "variable", "named"),
    [
        ("production", "NODE_ENV", False),
        ("Production", "ASPNETCORE_ENVIRONMENT", False),
        ("PRODUCTION", "rails_env", False),
        ("production", "APP_ENV", True),
        ("production", "", True),
        ("https://production.shop.dev", "NODE_ENV", True),
        ("wss://api.production.shop.dev/ws", "WS_URL", True),
        ("shop_production", "DB_NAME", True),
        ("--env=production", "ARGS", True),
        ("--env production", "ARGS", False),
        ("not in production yet", "NOTICE", False),
        ("productions", "X", False),
    ],
)
def test_what_names_an_environment(text: str, variable: str, named: bool) -> None:
    assert mentions(text, "production", variable) is named


@pytest.mark.parametrize(
    ("text", "marker", "named"),
    [
        ("https://docs.shop.dev", "dev", False),  # a top-level domain (revcomp67 F2)
        ("https://web.dev/articles/vitals", "dev", False),  # a third party's domain
        ("https://login.live.com/oauth20_authorize.srf", "live", False),
        ("https://api.dev.example.com/v1", "dev", True),  # the environment's own host
        ("https://dev.example.com", "dev", True),
        ("redis://u@cache.dev.internal:6379", "dev", True),  # a private zone: all its own
        ("https://web.dev/dev/x", "dev", True),  # a word of the path still names it
        ("https://shop-dev.web.app", "dev", True),
    ],
)
def test_a_domain_s_own_name_is_no_environment_s(text: str, marker: str, named: bool) -> None:
    assert mentions(text, marker, "URL") is named


def test_a_dev_domain_in_both_is_no_difference(tmp_path: Path) -> None:
    """main: `value.shared env.DOCS_URL · DOCS_URL names dev in both dev and prod`, exit 1."""
    for name, project in (("dev", "shop-dev"), ("prod", "shop-prod")):
        (tmp_path / f"{name}.yaml").write_text(
            HEAD.format(project) + "\n    env:\n      DOCS_URL: https://docs.shop.dev\n"
            "      VITALS_URL: https://web.dev/articles/vitals\n"
        )
    done = drift("compare", "dev", "prod", "--profiles", str(tmp_path), "-f", "json")
    assert json.loads(done.stdout)["differences"] == [] and done.returncode == 0, done.stdout
