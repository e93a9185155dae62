"""A profile file as GitHub names it: its path in the repository the workflow runs for, from
that repository's root, wherever in the workspace it is checked out.

GitHub reads both paths from the root of the repository, not of the workspace:
- SARIF: "Code scanning interprets results that are reported with relative paths as relative
  to the root of the repository analyzed" (docs.github.com/code-security/code-scanning/
  integrating-with-code-scanning/sarif-support-for-code-scanning, "Specifying the root for
  source files"); github/codeql-action upload-sarif's `checkout_path` is "the path at which the
  analyzed repository was checked out", and its fingerprints.ts `resolveUriToFile` joins a
  relative uri to it.
- `::error file=`: actions/runner ActionCommandManager (`IssueCommandExtension`) passes a
  relative `file` on as it is, a path in the repository (the check run annotation's `path`,
  "assets/css/main.css"); only an absolute one is made relative to the workspace, by its text.
  The runner's own mapping of a tool's file to a repository path (Handlers/OutputManager.cs
  `GetRepositoryPath`, for problem matchers) walks up from the file to the folder whose
  `.git/config` has the workflow repository's url (`url = {server_url}/{repository}` or
  `url = git@{host}:{repository}.git`, as actions/checkout `url-helper.ts` writes them) and
  names the file from there. With `actions/checkout` `path: src` the file is `profiles/x.yaml`,
  not `src/profiles/x.yaml`.
The step summary names no file for GitHub to place (a location there is text, as in the
table): it keeps the path relative to the working directory."""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path
from urllib.parse import urlsplit

from drift.files import regular_bytes

CONFIG_BYTES = 1 << 16
"""The most of a `.git/config`, a `.git` file or a `commondir` read: a checkout's config is a
few hundred bytes."""


def repo_path(file: str) -> str:
    """A profile file as GitHub attaches it: relative to the root of the repository that holds
    it (`checkout_root`) when GITHUB_WORKSPACE is set and the file is under it, else as given
    (relative to the working directory, SPEC "Findings"). An annotation is associated "with a
    particular file in your repository" (docs.github.com/actions/reference/workflow-commands-
    for-github-actions); code scanning places a result by its path in the repository, one path
    for a file across runs ("Reporting consistent filepaths"). A run from `services/api` with
    `--profiles ../../deploy/profiles` names `deploy/profiles/x.yaml` there,
    `../../deploy/profiles/x.yaml` in the JSON report.

    The path as reached (absolute, links kept) is tried first: an in-repo folder that is a
    link to one outside the checkout (`mounted/profiles` → a mounted config folder) is a path
    in the repository, `mounted/profiles/x.yaml` — the runner, too, makes an absolute `file=`
    relative to the workspace by its text (actions/runner ActionCommandManager,
    `IOUtil.MakeRelative`) — while its resolved path is outside (revown51 U1). Then with the
    links resolved (a GITHUB_WORKSPACE reached through a link). Each side as given, then
    resolved; the path as reached only where it names the same file (`a/link/../b` read
    lexically may not)."""
    workspace = os.environ.get("GITHUB_WORKSPACE", "")
    if not workspace or not os.path.isfile(file):  # `<stdin>`, a file since gone: as named
        return file
    try:
        reached = Path(os.path.abspath(file))
        files = [reached] if os.path.samefile(reached, file) else []
        files.append(Path(file).resolve())
        roots = [Path(os.path.abspath(workspace)), Path(workspace).resolve()]
    except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13)
        return file
    for path in files:
        for root in roots:
            if path.is_relative_to(root):
                return path.relative_to(checkout_root(path, root)).as_posix()
    return file  # outside it


def checkout_root(path: Path, workspace: Path) -> Path:
    """The folder in `workspace` (itself included) where the repository holding `path` (in
    it) is checked out: the nearest one up from `path` with a `.git` whose config names
    GITHUB_REPOSITORY, as the runner finds it (`GetRepositoryPath`). Another repository
    checked out inside the workspace (a second `actions/checkout` with `path: other`) is not
    the one the annotations and alerts are for: passed, as a submodule is (its files are named
    from the superproject's root, as the runner names them). Without GITHUB_REPOSITORY (not
    the runner) the nearest work tree; with none in the workspace, the workspace itself."""
    wanted = _repository_urls(
        os.environ.get("GITHUB_REPOSITORY", ""), os.environ.get("GITHUB_SERVER_URL", "")
    )
    return Path(_root_of(os.path.dirname(path), str(workspace), wanted))


@functools.lru_cache(maxsize=64)
def _root_of(folder: str, top: str, wanted: frozenset[str] | None) -> str:
    """`checkout_root` from `folder` up to `top`: kept for the process (a SARIF log of 5,000
    results asks it for the same folder 5,000 times; a checkout does not move during a run)."""
    while True:
        config = _git_config(folder)
        if config is not None and (wanted is None or _names(config, wanted)):
            return folder
        if folder == top or os.path.dirname(folder) == folder:
            return top
        folder = os.path.dirname(folder)


@functools.lru_cache(maxsize=4)
def _repository_urls(repository: str, server: str) -> frozenset[str] | None:
    """The remote urls, normalised (`_normal`), that name the workflow's repository
    (GITHUB_REPOSITORY on GITHUB_SERVER_URL): https, as actions/checkout writes it, and ssh
    (its `ssh-key`); None when GITHUB_REPOSITORY is not set."""
    repository = repository.strip().strip("/")
    if not repository:
        return None
    server = server.strip() or "https://github.com"
    host = urlsplit(server).hostname or ""
    return frozenset(
        _normal(url)
        for url in (
            f"{server.rstrip('/')}/{repository}",
            f"git@{host}:{repository}",
            f"ssh://git@{host}/{repository}",
        )
    )


def _normal(url: str) -> str:
    """A remote url compared case-blind, without `.git`, a trailing `/`, or credentials
    (`https://x-access-token:…@github.com/o/r`: compared, never shown)."""
    url = url.strip().strip('"').rstrip("/").removesuffix(".git").lower()
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and "@" in parts.netloc:
        url = url.replace(parts.netloc, parts.netloc.rpartition("@")[2], 1)
    return url


def _git_config(folder: str) -> str | None:
    """The config file of the work tree whose root is `folder`: `.git/config` for a `.git`
    folder; for a `.git` file (`gitdir: …`) a linked worktree's shared one (`commondir`). None
    when `folder` is no work tree's root, or is a submodule's (its git dir in an enclosing
    repository's `.git/modules`)."""
    dot = os.path.join(folder, ".git")
    try:
        if stat.S_ISDIR(os.stat(dot).st_mode):
            return os.path.join(dot, "config")
        first = _text(dot).partition("\n")[0]
    except (OSError, ValueError):  # none there (the usual case), unreadable, not a regular
        # file; ValueError: a NUL in the path it names (helper-781 R1)
        return None
    key, _, where = first.partition(":")
    if key.strip() != "gitdir" or not where.strip():
        return None
    gitdir = os.path.normpath(os.path.join(folder, where.strip()))
    up = folder
    while (parent := os.path.dirname(up)) != up:  # each folder above, to the root
        up = parent
        if gitdir.startswith(os.path.join(up, ".git", "modules") + os.sep):
            return None
    try:
        common = _text(os.path.join(gitdir, "commondir")).strip()
    except (OSError, ValueError):
        return os.path.join(gitdir, "config")
    return os.path.join(os.path.normpath(os.path.join(gitdir, common)), "config")


def _names(config: str, wanted: frozenset[str]) -> bool:
    """Whether a git `config` has a remote `url` among `wanted`."""
    try:
        text = _text(config)
    except (OSError, ValueError):
        return False
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() == "url" and _normal(value) in wanted:
            return True
    return False


def _text(path: str) -> str:
    """A small regular file's text (at most CONFIG_BYTES)."""
    return regular_bytes(Path(path), CONFIG_BYTES).decode("utf-8", "replace")
