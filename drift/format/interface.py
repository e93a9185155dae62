"""The one interface every report format implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

from drift.report import Report


class Formatter(ABC):
    """Turns a report into the text of one output format."""

    @abstractmethod
    def render(self, report: Report) -> str:
        """The whole output for `report`, ending with a newline."""
