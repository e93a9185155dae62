"""Imported, this module takes a Ctrl-C where CPython swallows it: in a `__del__` (as in an
import's module-lock callback), where the KeyboardInterrupt is only reported as ignored."""

from __future__ import annotations

import os
import signal
import time


class _Swallower:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # the handler runs here; its KeyboardInterrupt goes nowhere


_Swallower()
