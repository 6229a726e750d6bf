"""The TUI's widgets. Import them from here: `from c2q_tui.tui.widgets import ResultGrid`."""

from c2q_tui.tui.widgets.answer_card import AnswerCard
from c2q_tui.tui.widgets.chat_pane import ChatPane, Composer
from c2q_tui.tui.widgets.quota_meter import QuotaMeter
from c2q_tui.tui.widgets.refine_panel import RefinePanel
from c2q_tui.tui.widgets.result_grid import ResultGrid
from c2q_tui.tui.widgets.session_list import SessionEntry, SessionList
from c2q_tui.tui.widgets.sql_viewer import SqlViewer
from c2q_tui.tui.widgets.suggestions import SuggestionsPanel

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
