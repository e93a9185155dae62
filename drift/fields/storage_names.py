"""What a Cloud Storage bucket and an NFS share may be called in a profile, and when two
spellings of a share name one (`share_key`): the names the storage rows (drift.fields.storage)
parse, and `drift compare` (drift.compare.resources) compares by."""

from __future__ import annotations

import ipaddress
import re

from drift import textsafe

BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]*[a-z0-9]")
"""Cloud Storage's bucket naming rules (cloud.google.com/storage/docs/buckets#naming): "Bucket
names can only contain lowercase letters, numeric characters, dashes (-), underscores (_), and
dots (.)"; "must start and end with a number or letter"; "must contain 3-63 characters. Names
containing dots can contain up to 222 characters, but each dot-separated component can be no
longer than 63 characters"; "cannot be represented as an IP address in dotted-decimal
notation"; "cannot begin with the "goog" prefix"; "cannot contain "google"" (`bucket_problem`)."""


def bucket_problem(name: str) -> str:
    """Why `name` is no Cloud Storage bucket name ("": it is one)."""
    if name.startswith("gs://"):
        return "a bucket's name, without gs://"
    dotted = "." in name
    if not BUCKET.fullmatch(name) or not 3 <= len(name) <= (222 if dotted else 63):
        return (
            "3-63 lowercase letters, digits, '-', '_' and '.' (up to 222 with dots), starting "
            "and ending with a letter or digit"
        )
    if any(len(part) > 63 or not part for part in name.split(".")):
        return "each dot-separated part at most 63 characters"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return "no IP address"
    if name.startswith("goog") or "google" in name:
        return "no name beginning with 'goog' or containing 'google'"
    return ""


def share_problem(share: str) -> str:
    """Why `share` is no NFS share `SERVER:/PATH` ("": it is one; a space inside its path)."""
    server, colon, path = share.partition(":/")
    odd = any((c.isspace() and c != " ") or textsafe.hidden(c) for c in share) or " " in server
    if not server or not colon or odd or path != path.rstrip():
        host, _, path = share.rpartition(":")  # a path not from '/', as Cloud Run may hold (F11)
        form = f", the path from '/' ({host}:/{path})" if host and path and not colon else ""
        why = "the exported path: a space only inside it; no tab, line break nor control character"
        return f"SERVER:/PATH{form} (the server's host name or IP address, {why})"
    return ""


def split_share(share: str) -> tuple[str, str]:
    """`SERVER:/PATH` -> (SERVER, /PATH): split at the first `:/` (an IPv6 address holds
    colons, never a slash)."""
    server, _, path = share.partition(":/")
    return server, f"/{path}"


def share_key(share: str) -> str:
    """A share as `check` and `compare` compare it: its server whatever its case (RFC 4343),
    its path as the directory it names (repeated and trailing slashes and `.` name the same
    directory, POSIX.1 "Pathname Resolution"; Linux paths are case-sensitive): a profile's
    `10.0.0.3:/exports/` is the live `10.0.0.3:/exports`, no drift a fix repoints to itself.
    A `..` stays: the server resolves it through its links, which drift cannot see."""
    server, path = split_share(share)
    return f"{server.lower()}:/" + "/".join(p for p in path.split("/") if p not in ("", "."))
