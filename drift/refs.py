"""A Secret Manager reference as Cloud Run and profiles write it: the secret, its version and,
when it is not the workload's own, the project that holds it."""

from __future__ import annotations

from dataclasses import dataclass, replace

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
        its last segment."""
        version = version or "latest"
        parts = name.split("/")
        if len(parts) == 1 and name:
            return cls(name, version)
        if len(parts) == 4 and parts[0] == "projects" and parts[2] == "secrets" and all(parts):
            return cls(parts[3], version, parts[1])
        return cls(name, version, unread=_why(parts))

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
