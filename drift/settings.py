"""Configuration: command-line options, then `DRIFT_*` variables, then `[tool.drift]` in the
project's pyproject.toml (here or in a parent directory), then defaults (pydantic-settings);
and where the project's journal lives."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from drift.errors import UsageError
from drift.findings import FailOn

if TYPE_CHECKING:
    from drift.live.session import Access

JOURNAL = Path(".drift") / "journal"
PATHS = ("profiles_dir", "journal_dir")
"""Settings that are paths: relative ones in a parent's pyproject.toml are relative to it."""


def project_config(start: Path | None = None) -> Path | None:
    """The project's pyproject.toml: the nearest one, here or in a parent directory, that
    holds `[tool.drift]` (or cannot be read, so that its error is reported); None if none."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if not candidate.exists():
            continue
        try:
            if read_project_table(candidate) is not None:
                return candidate
        except UsageError:
            return candidate
    return None


def read_project_table(path: Path) -> dict[str, Any] | None:
    """`[tool.drift]` of the pyproject.toml at `path` (None if it has none); a file that cannot
    be read, is not UTF-8 TOML, or whose `tool` or `tool.drift` is not a table is a
    UsageError naming it."""
    if not path.is_file():
        raise UsageError(f"cannot read configuration: {path}: not a regular file")
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as exc:
        raise UsageError(f"cannot read configuration: {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise UsageError(f"invalid configuration: {path}: line {line}: not UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid configuration: {path}: not valid TOML: {exc}") from exc
    for header in ("tool", "drift"):
        if header not in data:
            return None
        data = data[header]
        if not isinstance(data, dict):
            name = "tool" if header == "tool" else "tool.drift"
            raise UsageError(f"invalid configuration: {path}: [{name}] must be a table")
    return data


DAY = 86_400.0
"""The longest a deadline, a wait or a retry budget may be, in seconds: past about 7.5e9 s a
gRPC deadline overflows and every call fails as if it had timed out (a run that can never be
complete), and nothing a check waits for takes a day."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DRIFT_",
        extra="forbid",
        allow_inf_nan=False,
    )

    profiles_dir: Path = Field(Path("profiles"), description="Directory of ENV.yaml profiles.")
    project: str | None = Field(None, description="Override the profile's GCP project.")
    region: str | None = Field(None, description="Override the profile's region.")
    fail_on: FailOn = FailOn.ERROR
    concurrency: int = Field(
        64, ge=1, le=256, description="Concurrent API calls (per check) and probes."
    )
    impersonate_service_account: str | None = None
    journal_dir: Path | None = Field(
        None,
        description="Where fix and rollback keep the journal [default: .drift/journal beside "
        "the project's configuration].",
    )
    run_rpm: int = Field(
        900, ge=1, description="Cloud Run Admin API calls per minute (read quota: 1000/min)."
    )
    secrets_rpm: int = Field(
        540, ge=1, description="Secret Manager calls per minute (read quota: 600/min/project)."
    )
    call_timeout: float = Field(
        30.0, gt=0, le=DAY, description="Deadline of one API call, seconds (at most a day)."
    )
    history: bool = Field(
        True, description="Read the revision history of drifted services (`since`)."
    )
    wait: float = Field(
        60.0, ge=0, le=DAY, description="How long a deploy in progress is waited for, seconds."
    )
    retry_budget: float = Field(
        60.0, gt=0, le=DAY, description="Total time retries may take, seconds (at most a day)."
    )

    def access(self) -> Access:
        """What the live layer needs: call limits and whose credentials."""
        from drift.live.calls import Limits
        from drift.live.session import Access

        return Access(
            Limits(
                concurrency=self.concurrency,
                run_rpm=self.run_rpm,
                secrets_rpm=self.secrets_rpm,
                call_timeout=self.call_timeout,
                retry_budget=self.retry_budget,
            ),
            self.impersonate_service_account,
        )

    def journal(self) -> Path:
        """The journal directory (SPEC invariant 5): `--journal` / `DRIFT_JOURNAL_DIR` /
        `[tool.drift] journal_dir` when given; else `.drift/journal` in the directory of the
        pyproject.toml holding `[tool.drift]`; else beside the profiles directory. Every
        command finds the same one from any subdirectory of the project."""
        if self.journal_dir is not None:
            return self.journal_dir
        config = project_config()
        if config is not None:
            return config.parent / JOURNAL
        return self.profiles_dir.resolve().parent / JOURNAL

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _ProjectToml(settings_cls))


class _ProjectToml(InitSettingsSource):
    """`[tool.drift]` of the project's pyproject.toml, found from any subdirectory; paths in
    it are relative to the file, and without `profiles_dir` the profiles are beside it."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        found = project_config()
        table = read_project_table(found) if found is not None else None
        super().__init__(settings_cls, table or {})
        self.folder = found.parent if found is not None else None

    def __call__(self) -> dict[str, Any]:
        data = dict(super().__call__())
        if self.folder is None or self.folder == Path.cwd().resolve():
            return data
        data.setdefault("profiles_dir", "profiles")
        for key in PATHS:
            value = data.get(key)
            if isinstance(value, str) and not Path(value).is_absolute():
                data[key] = self.folder / value
        return data


def load_settings(**overrides: Any) -> Settings:
    """Settings with command-line overrides (None means "not given")."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            name = ".".join(str(p) for p in err["loc"])
            source = f"DRIFT_{name.upper()} / [tool.drift] {name}" if name else "settings"
            lines.append(f"{source}: {err['msg']}")
        raise UsageError("invalid configuration: " + "; ".join(lines)) from exc
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read configuration: {exc}") from exc
