"""The `drift check` that init's summary names next: with the options it needs, run from
here, to read the profile just written where init read (and only those)."""

from __future__ import annotations

from pathlib import Path

from drift.yamlfile import display_path


def check_profiles_option(directory: Path) -> str:
    """` --profiles DIR` unless `drift check`, run from here, finds the profiles there anyway
    (the default, DRIFT_PROFILES_DIR, or `[tool.drift] profiles_dir`)."""
    import shlex

    from drift.settings import load_settings

    if load_settings().profiles_dir.resolve() == directory.resolve():
        return ""
    return f" --profiles {shlex.quote(display_path(directory))}"


def check_place_options(project: str, region: str) -> str:
    """` --project P` / ` --region R` where `drift check`, run from here, takes another one
    over the profile's (DRIFT_PROJECT, `[tool.drift] region`): the next check reads what
    init read, not every workload missing from another project (revinit86 F2)."""
    import shlex

    from drift.settings import load_settings

    here = load_settings()
    return "".join(
        f" --{key} {shlex.quote(read)}"
        for key, read, there in (
            ("project", project, here.project),
            ("region", region, here.region),
        )
        if there and there != read
    )
