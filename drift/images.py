"""When two container image references name one image, by the Docker reference rules.

run v2 Container.image (k8s_min.proto): "Name of the container image in Dockerhub, Google
Artifact Registry, or Google Container Registry. If the host is not provided, Dockerhub is
assumed." The rest is github.com/distribution/reference, normalize.go: `splitDockerDomain`
(no host, or a first part without "." or ":" that is not "localhost": docker.io; the legacy
"index.docker.io" is docker.io; on docker.io a name without "/" is under "library/"),
`TagNameOnly` (a name without tag or digest is `:latest`) and `ParseDockerRef` ("For
references containing both a tag and a digest, it returns a digested reference": the tag
beside a digest is not what is pulled).

Nothing here resolves a tag to its digest: `api:1` and `api@sha256:…` stay different."""

from __future__ import annotations

import re

DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
OFFICIAL_REPO = "library/"


def normalised_image(reference: str) -> str:
    """`reference` in its canonical form: host, full repository path, and either `@digest`
    or `:tag` (`nginx` -> `docker.io/library/nginx:latest`; `r/api:1@sha256:X` ->
    `docker.io/r/api@sha256:X`). Text that is no reference comes back as it is."""
    name, at, digest = reference.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    if not name:
        return reference
    first, sep, rest = name.partition("/")
    if not sep or ("." not in first and ":" not in first and first != "localhost"):
        domain, path = DEFAULT_DOMAIN, name
    else:
        domain, path = first, rest
    if domain == LEGACY_DEFAULT_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_REPO + path
    if at:
        return f"{domain}/{path}@{digest}"
    return f"{domain}/{path}:{tag or 'latest'}"


def same_image(a: object, b: object) -> bool:
    """Whether two references name one image without resolving a tag (normalised_image)."""
    return a == b or normalised_image(str(a)) == normalised_image(str(b))


_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE = re.compile(
    rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?/)?{_PATH_PART}(?:/{_PATH_PART})*"
    rf"(?::{_TAG})?(?:@{_DIGEST})?",
    re.ASCII,
)
"""A container image reference: distribution/reference's grammar (regexp.go: domain, path
components, `:tag`, `@digest`), which Cloud Run's images follow."""


def profile_image(value: object) -> object:
    """A profile's image, refused at its line where it is no image reference (a space, a
    newline, `;`, an upper-case repository): `drift fix` would write it to the container.
    Anything but text is left to the schema's own check (a list: "expected a string or a
    mapping")."""
    if not isinstance(value, str):
        return value
    text = value
    if not REFERENCE.fullmatch(text):
        raise ValueError(
            f"{text!r} is not a container image reference (HOST/PATH:TAG or HOST/PATH@DIGEST, "
            "lower-case path; or give {pattern: …})"
        )
    return text
