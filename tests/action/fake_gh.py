"""A stand-in for the `gh` CLI (`issue list|create|comment|edit|close`, `label create`): it
records every call, with the body a `--body-file` named, and keeps the issues and labels in a
JSON file. Run as a script."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(args: list[str]) -> int:
    state_path = Path(os.environ["FAKE_GH_STATE"])
    if state_path.with_name("gh-down").exists():  # GitHub answering 502s
        print("HTTP 502: Server Error (https://api.github.com/graphql)", file=sys.stderr)
        return 1
    state = json.loads(state_path.read_text()) if state_path.exists() else {"issues": []}
    verb = args[:2]
    rest = args[2:] if verb in (["issue", "list"], ["issue", "create"]) else args[3:]
    if rest[-1:] == ["--force"]:  # the one flag without a value (`label create`)
        rest = rest[:-1]
    options = dict(zip(rest[::2], rest[1::2], strict=False))
    body = Path(options["--body-file"]).read_text() if "--body-file" in options else None
    with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"args": args, "body": body}) + "\n")
    issues = state["issues"]
    labels = state.setdefault("labels", [])
    if verb == ["issue", "list"]:
        print(json.dumps(listed(issues, options)))
    elif verb == ["label", "create"]:
        if args[2] not in labels:
            labels.append(args[2])
    elif verb == ["issue", "create"]:
        label = options.get("--label")
        if label is not None and label not in labels:  # as gh refuses it
            print(f"could not add label: '{label}' not found", file=sys.stderr)
            return 1
        number = len(issues) + 1
        issues.append(
            {
                "number": number,
                "title": options["--title"],
                "state": "open",
                "body": body,
                "comments": [],
                "labels": [] if label is None else [label],
            }
        )
        print(f"https://github.com/acme-chat/app/issues/{number}")
    else:
        number = int(args[2])
        issue = next(i for i in issues if i["number"] == number)
        if verb == ["issue", "comment"]:
            issue["comments"].append(body)
        elif verb == ["issue", "edit"]:
            issue["body"] = body
        elif verb == ["issue", "close"]:
            issue["state"] = "closed"
            issue["comments"].append(options.get("--comment"))
        else:
            print(f"fake gh: unknown command {args}", file=sys.stderr)
            return 1
    state_path.write_text(json.dumps(state))
    return 0


def listed(issues: list[dict[str, object]], options: dict[str, str]) -> list[dict[str, object]]:
    """As `gh issue list` answers: the newest first, at most `--limit` (30 by default), those
    whose title holds a `--search 'in:title "PHRASE"'` phrase and that have the `--label`."""
    wanted = options.get("--state", "open")
    phrase = options.get("--search", "").partition('"')[2].rpartition('"')[0]
    label = options.get("--label")
    shown = [
        {
            "number": i["number"],
            "title": i["title"],
            "labels": [{"name": name} for name in labels_of(i)],
        }
        for i in sorted(issues, key=lambda i: -int(str(i["number"])))
        if i["state"] == wanted
        and phrase.lower() in str(i["title"]).lower()
        and (label is None or label in labels_of(i))
    ]
    return shown[: int(options.get("--limit", "30"))]


def labels_of(issue: dict[str, object]) -> list[str]:
    labels = issue.get("labels")
    return [str(name) for name in labels] if isinstance(labels, list) else []


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
