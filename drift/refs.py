"""A Secret Manager reference as Cloud Run and profiles write it: the secret, its version and,
when it is not the workload's own, the project that holds it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SecretRef:
    """A Secret Manager reference as Cloud Run stores it: a secret of the workload's own
    project (`project` empty) or of another project (`projects/P/secrets/NAME`, P an id or a
    number, kept as written), and a version (`latest`, a number or an alias)."""

    secret: str
    version: str = "latest"
    project: str = ""

    @classmethod
    def parse(cls, name: str, version: str = "latest") -> SecretRef:
        """From `secret_key_ref.secret` / `volumes[].secret.secret`: `NAME` or
        `projects/P/secrets/NAME`."""
        parts = name.split("/")
        if len(parts) == 4 and parts[0] == "projects" and parts[2] == "secrets":
            return cls(parts[3], version or "latest", parts[1])
        return cls(parts[-1], version or "latest")

    @property
    def key(self) -> str:
        """The secret's name in targets and messages: `NAME`, or `P/NAME` in another project."""
        return f"{self.project}/{self.secret}" if self.project else self.secret

    @property
    def secret_ref(self) -> SecretRef:
        """The secret itself, whatever the version."""
        return SecretRef(self.secret, "latest", self.project)

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
