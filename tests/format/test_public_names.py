"""helper-618 F5: a fragment of a secret (its first or last `FRAGMENT_MIN` characters or more,
as a server quotes a value cut short) is masked in what a server sent back and in every line a
person reads, but not where each of its letters and digits stands in a name drift prints anyway
(`redact.register_public`: the project, the region, a workload's, a revision's, a service
account's name). A secret ending with the project's id hid the project in drift's sentences and
in a gap's reason; a server's text quoting the secret's end with any character of its own still
masks the whole fragment, in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift import redact
from drift.cli.output import readable
from drift.findings import Unverified
from drift.format import OutputFormat, formatter_for
from tests.format.conftest import make_report

PROJECT = "acme-staging"
DSN = f"postgres://app:pw@10.0.0.3:5432/{PROJECT}"
HOOK = f"https://{PROJECT}.example.com/hook/Xk9Qw2Lp7Zr4"
ACCOUNT = f"api@{PROJECT}.iam.gserviceaccount.com"
IMPERSONATED = f"deployer@{PROJECT}.iam.gserviceaccount.com"
NAME = f"projects/{PROJECT}/locations/us-central1/services/api"


@pytest.fixture(autouse=True)
def _known(_process_state_of_this_test_only: None) -> None:
    for secret in (DSN, HOOK, IMPERSONATED, f"{PROJECT}!#$~Zx9", f"{PROJECT}//..q7"):
        redact.register(secret)
    redact.register_public(PROJECT, "us-central1", NAME, "api", ACCOUNT)


def test_drifts_own_sentence_shows_the_names() -> None:
    line = f"wrote profiles/prod.yaml: 1 service (api) from {PROJECT}/us-central1"
    assert readable(line) == line
    note = f"api runs as {ACCOUNT}; {PROJECT}.example.com answers"
    assert readable(note) == note


@pytest.mark.parametrize(
    ("said", "hidden"),
    [
        (f"invalid DSN …10.0.0.3:5432/{PROJECT}", "10.0.0.3"),  # its end, cut from the left
        (f"invalid DSN …3:5432/{PROJECT}", ":5432"),  # one character of its own is enough
        (f"bad user …r@{PROJECT}.iam.gserviceaccount.com", "r@"),  # not api@…: deployer@…
        (f"hook https://{PROJECT}.example.com/hook/Xk9Q refused", "Xk9Q"),  # its start, cut
        (f"400: https://{PROJECT}.example.com/hook/Xk9", "Xk9"),  # cut where the text ends
        (f"400: https://{PROJECT}.example.com/", "https://"),  # `https` is no name
        (f"400: {PROJECT}!#$~…", "!#$~"),  # no separator between names: the secret's own
        (f"400: {PROJECT}//..", "//.."),  # more than two separators
    ],
)
def test_a_servers_echo_of_a_secrets_piece_is_masked(said: str, hidden: str) -> None:
    shown = readable(f"cannot update {NAME}: {said}")
    assert hidden not in shown and "***" in shown, shown
    assert shown.startswith(f"cannot update {NAME}: "), shown


def test_a_piece_that_is_only_a_name_is_a_name() -> None:
    """What is spared: a fragment whose letters and digits are all a public name (`/` and `.`
    around it are no secret's own); the secret's whole value is masked wherever it stands,
    and a name no command registered spares nothing."""
    assert readable(f"{NAME}: denied") == f"{NAME}: denied"
    assert readable(f"DB={DSN}") == "DB=***"
    assert readable("from other-staging/x") == "from other***/x"  # `-staging`: no name
    redact.register("db-for-acme-staging")
    assert readable("db-for-acme-staging") == "***"
    redact.register("xyz-unlisted-name")
    assert readable("from lab-unlisted-name") == "from lab***"


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_shows_the_project_and_masks_the_echo(fmt: OutputFormat) -> None:
    gap = Unverified(
        "api", "secret.db-url", f"PERMISSION_DENIED on {NAME}: …10.0.0.3:5432/{PROJECT}"
    )
    text = formatter_for(fmt, width=200).render(make_report(unverified=(gap,)))
    assert "10.0.0.3" not in text, text
    assert f"{PROJECT}/locations/us-central1" in text.replace("\\/", "/"), text


def test_a_live_revision_registers_its_names_and_account() -> None:
    """What Cloud Run answers names the workload, the revision and the account it runs as
    (`drift.live.normalize.revision_config`): a secret's end does not hide them."""
    from google.cloud import run_v2

    from drift.live.normalize import revision_config

    web = f"web@{PROJECT}.iam.gserviceaccount.com"
    line = f"web-00002-abc runs as {web}"
    assert readable(line) != line  # `@acme-staging.iam.gserviceaccount.com` ends IMPERSONATED
    service = run_v2.Service(name=f"projects/{PROJECT}/locations/us-central1/services/web")
    revision = run_v2.Revision(
        name=f"{service.name}/revisions/web-00002-abc",
        service_account=web,
        containers=[run_v2.Container(image="us-docker.pkg.dev/p/r/web:1")],
    )
    revision_config(revision, service=service, container=None)
    assert readable(line) == line


def test_a_loaded_profile_registers_its_project_region_and_workloads(tmp_path: Path) -> None:
    from drift.profiles.loader import load_profile

    (tmp_path / "prod.yaml").write_text(
        "project: acme-staging\nregion: europe-west4\nservices:\n  xyz-unlisted-name: {}\n"
    )
    redact.register("abc-unlisted-name")
    line = "europe-west4: xyz-unlisted-name"
    assert readable(line) != line
    load_profile(tmp_path, "prod")
    assert readable(line) == line
