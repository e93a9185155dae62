"""`python -m tests.uncaught NAME`: says a line on standard output, then ends by the uncaught
exception NAME (tests/test_zygote.py compares how a fresh interpreter and a zygote run end)."""

import sys


class Interrupted(KeyboardInterrupt):
    """A KeyboardInterrupt of another class: CPython ends by SIGINT for that class only."""


print("said before the end")  # buffered: the finalisation writes it, before any signal
raise {
    "KeyboardInterrupt": KeyboardInterrupt,
    "Interrupted": Interrupted,
    "ValueError": ValueError,
}[sys.argv[1]]("ended")
