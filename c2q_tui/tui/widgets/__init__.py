"""The TUI's widgets. Import them from here: `from c2q_tui.tui.widgets import ResultGrid`.

The names load on first use (PEP 562): every `c2q_tui.tui.widgets.<module>` import runs this file
first, and importing them all here would make the main screen pay for the grid's pyarrow and the
chart's plotext before its first frame.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from c2q_tui.tui.widgets.answer_card import AnswerCard
    from c2q_tui.tui.widgets.chat_pane import ChatPane, Composer
    from c2q_tui.tui.widgets.quota_meter import QuotaMeter
    from c2q_tui.tui.widgets.refine_panel import RefinePanel
    from c2q_tui.tui.widgets.result_grid import ResultGrid
    from c2q_tui.tui.widgets.session_list import SessionEntry, SessionList
    from c2q_tui.tui.widgets.sql_viewer import SqlViewer
    from c2q_tui.tui.widgets.suggestions import SuggestionsPanel

_MODULES = {
    "AnswerCard": "answer_card",
    "ChatPane": "chat_pane",
    "Composer": "chat_pane",
    "QuotaMeter": "quota_meter",
    "RefinePanel": "refine_panel",
    "ResultGrid": "result_grid",
    "SessionEntry": "session_list",
    "SessionList": "session_list",
    "SqlViewer": "sql_viewer",
    "SuggestionsPanel": "suggestions",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "AnswerCard",
    "ChatPane",
    "Composer",
    "QuotaMeter",
    "RefinePanel",
    "ResultGrid",
    "SessionEntry",
    "SessionList",
    "SqlViewer",
    "SuggestionsPanel",
]
