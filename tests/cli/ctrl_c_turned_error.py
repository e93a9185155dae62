"""Imported, this module takes a Ctrl-C the way an interrupted import of a C extension can:
the KeyboardInterrupt is lost and another error stands in its place (CPython 3.11 builds the
import's error message while the interrupt is pending, fails, and raises "TypeError: expected
a message argument", Python/errors.c `PyErr_SetImportErrorSubclass`)."""

from __future__ import annotations

import os
import signal
import time

try:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)  # the handler runs here
except KeyboardInterrupt:
    raise TypeError("expected a message argument") from None
