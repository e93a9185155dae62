"""A Secret Manager reference as Cloud Run and profiles write it: the secret, its version and,
when it is not the workload's own, the project that holds it; and where a text names one, a
name and no value (`reference_spans`, `named_secret`: what `drift.credentials` leaves shown)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any

from drift.gcp_ids import PROJECT

_WORD = re.compile(r"[A-Za-z0-9_-]{1,255}")
"""A secret's name, or a version's (a number or an alias), as a suggestion quotes it."""
VERSION_NUMBER = re.compile(r"[1-9][0-9]*")
VERSION_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")
"""Secret.version_aliases (secretmanager/v1 resources.proto): "a string with a maximum length
of 63 characters and can contain uppercase and lowercase letters, numerals, and the hyphen
(`-`) and underscore ('_') characters. An alias string must start with a letter and cannot be
the string 'latest' or 'NEW'" (case-insensitive on the assign-alias page)."""
FORMS = "NAME or projects/PROJECT/secrets/NAME"
"""The forms of SecretKeySelector.secret and SecretVolumeSource.secret (run v2
k8s.min.proto: "{secret_name} if the secret is in the same project.
projects/{project}/secrets/{secret_name} if the secret is in a different project")."""


@dataclass(frozen=True, order=True)
class SecretRef:
    """A Secret Manager reference as Cloud Run stores it: a secret of the workload's own
    project (`project` empty) or of another project (`projects/P/secrets/NAME`, P an id or a
    number, kept as written), and a version (`latest`, a number or an alias)."""

    secret: str
    version: str = "latest"
    project: str = ""
    unread: str = ""
    """Why drift does not read it ("" for the two forms it reads): `secret` then holds the
    name as written, never another secret's (`parse`)."""

    @classmethod
    def parse(cls, name: str, version: str = "latest") -> SecretRef:
        """From `secret_key_ref.secret` / `volumes[].secret.secret`: `NAME` or
        `projects/P/secrets/NAME`. Any other form is kept whole, with why it is not read: a
        regional secret `projects/P/locations/L/secrets/NAME` is another resource, on another
        endpoint (Secret Manager regional secrets: `secretmanager.L.rep.googleapis.com`), and
        `projects/P/secrets/NAME/versions/V` names no secret; neither is the global secret of
        its last segment. The reference `one_ref` gives (a check parses the same few
        references once per workload)."""
        return _parsed(name, version)

    def __reduce__(self) -> tuple[Any, ...]:
        """Unpickled as `one_ref` (a profile read in a child process: `drift.cli.overlap`)."""
        return one_ref, (self.secret, self.version, self.project, self.unread)

    @property
    def unreadable(self) -> str:
        """Why drift does not read it, naming it ("" when it reads it)."""
        shown = self.secret or '""'
        return f"the secret reference {shown} is {self.unread}" if self.unread else ""

    @property
    def key(self) -> str:
        """The secret's name in targets and messages: `NAME`, or `P/NAME` in another project."""
        return f"{self.project}/{self.secret}" if self.project else self.secret

    @property
    def secret_ref(self) -> SecretRef:
        """The secret itself, whatever the version."""
        return replace(self, version="latest")

    def resource(self, own_project: str) -> str:
        """`projects/P/secrets/NAME`, in the named project or else the workload's own."""
        return f"projects/{self.project or own_project}/secrets/{self.secret}"

    def version_resource(self, own_project: str) -> str:
        return f"{self.resource(own_project)}/versions/{self.version}"

    def api_name(self) -> str:
        """What Cloud Run's `secret` fields hold for this reference."""
        return f"projects/{self.project}/secrets/{self.secret}" if self.project else self.secret

    def __str__(self) -> str:
        return f"secret {self.key}:{self.version}"


VERSION_FORMS = "latest, a version number or an alias"


def one_ref(secret: str, version: str = "latest", project: str = "", unread: str = "") -> SecretRef:
    """The reference of these fields, one object for all that are equal: a run compares and
    looks up the same references thousands of times, each lookup of an equal but other object
    a call of the dataclass's `__eq__`, none of the same one."""
    key = (secret, version, project, unread)
    ref = _ONE.get(key)
    if ref is None:
        if len(_ONE) >= _KEPT:  # (a process reading without end: the sandbox's, a fuzz run)
            _ONE.clear()
        ref = _ONE[key] = SecretRef(secret, version, project, unread)
    return ref


_ONE: dict[tuple[str, str, str, str], SecretRef] = {}
_KEPT = 1 << 16


@functools.lru_cache(maxsize=1 << 16)
def _parsed(name: str, version: str) -> SecretRef:
    """`SecretRef.parse`."""
    version = version or "latest"
    parts = name.split("/")
    if len(parts) == 1 and name:
        secret, project = name, ""
    elif len(parts) == 4 and parts[0] == "projects" and parts[2] == "secrets" and all(parts):
        secret, project = parts[3], parts[1]
    else:
        return one_ref(name, version, unread=_why(parts))
    # SecretKeySelector.version: "Can be 'latest' for the latest version, an integer for a
    # specific version, or a version alias" (run v2 k8s.min.proto): another text names no
    # version, and read it went to Secret Manager (`1/../latest`: helper-834 F6)
    if is_version(version):
        return one_ref(secret, version, project)
    said = f"at version {version[:100]!r}, which is no secret version ({VERSION_FORMS})"
    return one_ref(secret, version, project, f"{said}: drift does not read it")


def is_version(value: str) -> bool:
    """`latest`, a version number (versions are numbered from 1) or an alias, exactly."""
    if value == "latest" or VERSION_NUMBER.fullmatch(value):
        return True
    return bool(VERSION_ALIAS.fullmatch(value)) and value.lower() not in ("latest", "new")


def _why(parts: list[str]) -> str:
    """Why a reference in another form than `FORMS` is not read."""
    if all(parts) and len(parts) == 6 and parts[0] == "projects":
        if parts[2:5:2] == ["locations", "secrets"]:
            return f"a regional secret: drift reads global secrets only ({FORMS})"
        if parts[2:5:2] == ["secrets", "versions"]:
            return (
                f"the name of a secret version, not of a secret ({FORMS}; the version has a "
                "field of its own): drift does not read it"
            )
    return f"not a secret name ({FORMS}): drift does not read it"


def misnamed(value: str, *, regional: bool = False) -> str:
    """What a profile's `secret:` that is none of `FORMS` says, with the form meant where its
    shape tells (helper-683 L4): a version's name is the secret's and `version:`, `P/NAME`
    is `{secret: NAME, project: P}` (SPEC: "Profiles say `{secret: NAME, project: P}`")."""
    if regional:
        # run v2 k8s.min.proto SecretKeySelector.secret / SecretVolumeSource.secret document
        # `{secret}` and `projects/{project}/secrets/{secret}` only; a regional secret is
        # another resource, on Secret Manager's regional endpoint
        return (
            f"{value!r} is a regional secret (projects/P/locations/L/secrets/NAME): Cloud "
            "Run's secret references are documented as NAME or projects/PROJECT/secrets/"
            "NAME (SecretKeySelector.secret), and drift reads global secrets only"
        )
    said = f"not a secret name: {value!r}"
    parts = value.split("/")
    if len(parts) == 6 and parts[0::2] == ["projects", "secrets", "versions"]:
        p, name, version = parts[1::2]
        if PROJECT.fullmatch(p) and _WORD.fullmatch(name) and _WORD.fullmatch(version):
            return (
                f"{said}, a version's: write {{secret: {name}, project: {p}, version: {version}}}"
            )
    if len(parts) == 2 and PROJECT.fullmatch(parts[0]) and _WORD.fullmatch(parts[1]):
        return f"{said}: another project's secret is {{secret: {parts[1]}, project: {parts[0]}}}"
    return f"{said} (NAME, {{secret: NAME, project: P}} or projects/PROJECT/secrets/NAME)"


def misplaced_project(project: str) -> str:
    """What a secret's `project:` that is no project id or number says: `projects/P` is P."""
    said = f"not a project id or number: {project!r}"
    bare = project.removeprefix("projects/")
    return f"{said}: write project: {bare}" if PROJECT.fullmatch(bare) else said


_REFERENCE_BODY = (
    r"secret (?:projects/[A-Za-z0-9-]{1,63}/(?:locations/[a-z0-9-]{1,63}/)?secrets/)?"
    r"[A-Za-z0-9_-]{1,255}"
    r":(?:[0-9]+|[A-Za-z][A-Za-z0-9_-]{0,62})"
)
_WHOLE_REFERENCE = re.compile(rf"\s*{_REFERENCE_BODY}\s*")
_QUOTED_REFERENCE = re.compile(
    r"(?<![A-Za-z0-9._/-])(?:references|mounts|instead of|a reference to|not) "
    rf"(?P<ref>{_REFERENCE_BODY})(?![A-Za-z0-9._/:-])"
)
"""A Secret Manager reference as drift shows it (`SecretRef`: `secret NAME:VERSION`,
`secret projects/P/secrets/NAME:VERSION`, and a regional secret's as drift keeps it whole,
`secret projects/P/locations/L/secrets/NAME:VERSION`): a name and a version, not a value,
which `drift.credentials` does not mask as a credential. Its `NAME:VERSION` is no
`key: value` (`secret stripe-api-key:prod`, `secret otel-token:latest`; a name ending in
`-key`, `-token`, `-secret` or `-password` is most real secrets') — but only where drift
wrote it: a text that is the reference and nothing else (`_WHOLE_REFERENCE`, a
finding's `expected`/`actual`), or a reference after the words of drift's own messages
(`_QUOTED_REFERENCE`: "references {ref} instead of {ref}", drift/diff/env.py; "mounts {ref}
instead of {ref}", drift/diff/secrets.py; "expected a reference to {ref}"). Never inside
other free text: `--auth-mode client secret password:Hunter2Hunter2` in a plain variable is a
credential (review revown30). A version is `latest`, a number or an alias: "Alias names must
start with a letter, can be up to 63 characters long, and can contain letters, numbers,
hyphens (-), and underscores (_)" (Secret Manager, "Assign an alias to a secret version"); a
secret's id is at most 255 letters, digits, `-` and `_` (`Secret.name`,
google/cloud/secretmanager/v1/resources.proto)."""


_SECRET_RESOURCE = re.compile(
    r"projects/[A-Za-z0-9-]{1,63}/(?:locations/[a-z0-9-]{1,63}/)?secrets/[A-Za-z0-9_-]{1,255}"
    r"(?:/versions/(?:[0-9]+|[A-Za-z][A-Za-z0-9_-]{0,62}))?"
)
_SECRET_KEY = re.compile(r"(?:^|[^A-Za-z0-9._-])secret[ \t]*:[ \t]*$", re.IGNORECASE)


def named_secret(text: str, start: int, stop: int) -> bool:
    """Whether the value at `start:stop` is a whole Secret Manager resource name after
    `secret:` (`projects/P/secrets/S[/versions/V]`, a regional one's with `locations/L/`), as
    Google's error names the secret it cannot reach: "Permission denied on secret:
    projects/4/secrets/shared/versions/latest for Revision service account …". A reference,
    not a value: masking it hid which secret to grant (revjobs67 F2). Anything else after
    `secret:`, or more than the name, is still a credential; a secret's value shaped like a
    name is masked as every value drift reads is (`drift.redact`)."""
    return bool(
        _SECRET_RESOURCE.fullmatch(text, start, stop) and _SECRET_KEY.search(text, 0, start)
    )


def reference_spans(text: str) -> list[tuple[int, int]]:
    """Where the references drift wrote stand in `text` (`_QUOTED_REFERENCE`)."""
    if "secret " not in text:
        return []
    if _WHOLE_REFERENCE.fullmatch(text):
        return [(0, len(text))]
    return [match.span("ref") for match in _QUOTED_REFERENCE.finditer(text)]


DEFAULT_FILE_MODE = 0o444
UMASK = 0o222


def file_mode(*modes: int) -> int:
    """The permission bits of a secret file as Cloud Run creates it, given its item's `mode`
    and its volume's `default_mode` (0: not set): the first set, else 0444, less the umask
    (run v2 k8s_min.proto: VersionToPath.mode "If 0 or not set, the Volume's default mode will
    be used"; SecretVolumeSource.default_mode "defaulting to 0444"; both: "Internally, a umask
    of 0222 will be applied to any non-zero value")."""
    return next((m for m in modes if m), DEFAULT_FILE_MODE) & ~UMASK & 0o777


def shown_mode(mode: int) -> str:
    """`0440`: chmod's numeric notation with a leading zero, as the API's docs write it."""
    return f"0{mode:03o}"
