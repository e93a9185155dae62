"""`python -m drift`."""

from __future__ import annotations

from drift.cli import main

if __name__ == "__main__":
    main()
