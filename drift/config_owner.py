"""Whose `[tool.drift]` drift may take: not one another user left where anyone can write.

drift looks for the project's pyproject.toml in the working directory and every parent
directory (`drift.settings.project_config`). A parent such as /tmp is writable by every user
of the machine: a pyproject.toml another user puts there configures every drift run below it
— `fail_on = "never"` makes a check that found drift exit 0, `profiles_dir` substitutes the
profiles a `drift fix --yes` then applies to the live services. Git refuses a repository so
placed for the same reason (CVE-2022-24765, `safe.directory`). A file of this user's, or
root's, is taken; so is any file in a directory only its owners can write."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from drift.errors import UsageError


def trusted(config: Path) -> Path:
    """`config` (a pyproject.toml holding `[tool.drift]`), or a UsageError when another user
    owns it and anyone may have put it there or changed it: its directory, or the file
    itself, is writable by every user. A platform without user ids (Windows) takes it."""
    euid = getattr(os, "geteuid", None)
    if euid is None:
        return config
    try:
        info = config.stat()
        folder = config.parent.stat()
    except OSError:  # unreadable: `read_project_table` names the problem
        return config
    if info.st_uid in (euid(), 0):
        return config
    if not (folder.st_mode | info.st_mode) & stat.S_IWOTH:
        return config
    where = "its directory" if folder.st_mode & stat.S_IWOTH else "the file"
    raise UsageError(
        f"refusing the configuration {config}: it belongs to another user (uid {info.st_uid}) "
        f"and {where} can be written by anyone, so its [tool.drift] could set what drift "
        "checks and writes; nothing was read",
        hint="remove it or have its owner remove it, or run drift from a directory that is not "
        f"below {config.parent}",
    )
