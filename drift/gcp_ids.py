"""The project and the region every resource name is built from
(`projects/PROJECT/locations/REGION/services/NAME`), in the forms Google gives them: a value
that is not one (a stray space from a CI variable, `us-central1/services/api`, `../x`, an
escape sequence) never reaches the API, where it reads as a location holding nothing — every
service "missing" under a region that looks right — or as a server error (SPEC exit 2:
nothing was checked)."""

from __future__ import annotations

import re
from collections.abc import Callable

PROJECT_ID = r"[a-z](?:[a-z0-9-]{0,28}[a-z0-9])?"
"""A project id, as Resource Manager allows one: "6 to 30 characters … only lowercase
letters, numbers, and hyphens … must start with a letter … cannot end with a hyphen"
(https://cloud.google.com/resource-manager/docs/creating-managing-projects, "A project ID
has the following requirements"; the Resource Manager API's `Project.projectId`: "It must
be 6 to 30 lowercase letters, digits, or hyphens. It must start with a letter. Trailing
hyphens are prohibited"). All but the 6-character minimum: that is a rule for creating a
project, and an id too short to exist is no resource name gone wrong — the API answers it
as a project drift cannot read (exit 3, naming it), never as another place."""
DOMAIN = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
PROJECT = re.compile(rf"(?:{DOMAIN}:)?{PROJECT_ID}|[1-9][0-9]{{0,19}}")
"""A project id — or a domain-scoped one (`example.com:my-project`, which older projects
keep) — or a project number (digits), which Cloud Run's names accept in its place."""
REGION = re.compile(r"[a-z]+-[a-z]+[0-9]+")
"""A Cloud Run region: every location https://cloud.google.com/run/docs/locations lists has
this form (us-central1, europe-west12, northamerica-northeast1, me-central2)."""


def _problem(form: re.Pattern[str], what: str, hint: str, value: str) -> str:
    """Why `value` is not `what` ("" when `form` matches all of it)."""
    return "" if form.fullmatch(value) else f"not {what}: {value!r} ({hint})"


def project_problem(value: str) -> str:
    """Why `value` is not a project id or number ("" when it is one)."""
    hint = (
        "an id is at most 30 lowercase letters, digits and hyphens, starting with a letter, "
        "not ending with a hyphen"
    )
    return _problem(PROJECT, "a Google Cloud project id or number", hint, value)


def region_problem(value: str) -> str:
    """Why `value` is not a Cloud Run region ("" when it is one)."""
    hint = (
        "a region looks like us-central1 or europe-west4: "
        "https://cloud.google.com/run/docs/locations"
    )
    return _problem(REGION, "a Cloud Run region", hint, value)


def _checked(problem: Callable[[str], str], value: str) -> str:
    """A pydantic validator's answer: `value`, or ValueError saying what `problem` finds."""
    if why := problem(value):
        raise ValueError(why)
    return value


def checked_project(value: str) -> str:
    """A pydantic validator: `value`, or ValueError saying why it is no project."""
    return _checked(project_problem, value)


def checked_region(value: str) -> str:
    """A pydantic validator: `value`, or ValueError saying why it is no region."""
    return _checked(region_problem, value)
