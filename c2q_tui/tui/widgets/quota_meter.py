"""The header's quota meter: "37/100 today", coloured as the daily limit nears."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:  # annotations only: the API client (httpx, pydantic) loads after the first frame
    from c2q_tui.api import QuotaStatus


class QuotaMeter(Static):
    DEFAULT_CSS = """
    QuotaMeter { width: auto; padding: 0 1; }
    QuotaMeter.-warn { color: $warning; text-style: bold; }
    QuotaMeter.-exhausted { color: $error; text-style: bold reverse; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("quota: …", id=id)
        self.status: QuotaStatus | None = None
        self.tooltip = "Requests sent today (UTC day), polls included."

    def show_status(self, status: QuotaStatus, *, unlimited: bool = False) -> None:
        """`unlimited`: the embedded backend has no daily quota; count requests without a limit."""
        self.status = status
        level = "ok" if unlimited else status.level
        self.set_class(level == "warn", "-warn")
        self.set_class(level == "exhausted", "-exhausted")
        if unlimited:
            label = f"{status.used} request{'s' if status.used != 1 else ''} today"
        else:
            label = f"{status.used}/{status.limit} today"
        self.update(Text(label))
        self.tooltip = (
            "The embedded backend has no daily quota; requests are counted anyway."
            if unlimited
            else status.message or f"{status.remaining} of {status.limit} requests left today (UTC)."
        )
