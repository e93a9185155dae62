"""`python -m tests.uncaught NAME`: says a line on standard output, then ends by the uncaught
exception NAME; `python -m tests.uncaught signals`: says how SIGINT and SIGHUP are handled
(tests/test_zygote.py compares a fresh interpreter and a zygote run)."""

import signal
import sys

if sys.argv[1] == "signals":
    for number in (signal.SIGINT, signal.SIGHUP):
        handler = signal.getsignal(number)
        print(number.name, getattr(handler, "name", None) or getattr(handler, "__name__", handler))
    sys.exit(0)


class Interrupted(KeyboardInterrupt):
    """A KeyboardInterrupt of another class: CPython ends by SIGINT for that class only."""


print("said before the end")  # buffered: the finalisation writes it, before any signal
raise {
    "KeyboardInterrupt": KeyboardInterrupt,
    "Interrupted": Interrupted,
    "ValueError": ValueError,
}[sys.argv[1]]("ended")
