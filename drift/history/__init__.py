"""`drift history`: each service's revisions, newest first, with what each one changed, who
made it with which client, and what serves."""

from __future__ import annotations
