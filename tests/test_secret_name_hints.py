"""A secret reference written in a profile in a form close to one drift reads says the form
meant (helper-683 L4): a version's full name is the secret and `version:`, `P/NAME` is
`{secret: NAME, project: P}` (the form the SPEC shows first), `project: projects/P` is `P`.
The real CLI, `drift profiles validate`: one line at the file and line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (
            "{secret: projects/acme-prod/secrets/jwt/versions/latest}",
            "services.api.env.JWT.secret: not a secret name: "
            "'projects/acme-prod/secrets/jwt/versions/latest', a version's: write "
            "{secret: jwt, project: acme-prod, version: latest}",
        ),
        (
            "{secret: acme-prod/jwt}",
            "services.api.env.JWT.secret: not a secret name: 'acme-prod/jwt': another "
            "project's secret is {secret: jwt, project: acme-prod}",
        ),
        (
            "{secret: projects/acme-prod/secret/jwt}",
            "services.api.env.JWT.secret: not a secret name: 'projects/acme-prod/secret/jwt' "
            "(NAME, {secret: NAME, project: P} or projects/PROJECT/secrets/NAME)",
        ),
        (
            "{secret: jwt, project: projects/acme-prod}",
            "services.api.env.JWT: not a project id or number: 'projects/acme-prod': write "
            "project: acme-prod",
        ),
    ],
    ids=["version-name", "project-slash-name", "typo", "project-path"],
)
def test_a_secret_written_in_a_near_form_says_the_form_meant(
    tmp_path: Path, written: str, said: str
) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = f"project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      JWT: {written}\n"
    (profiles / "prod.yaml").write_text(text)
    done = drift("profiles", "validate", "profiles", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"profiles/prod.yaml:6: {said}" in done.stderr, done.stderr
