"""Dashboard actions of the app: pin the selected answer (or breakdown sub-task), open the dashboard
of a breakdown answer or of the pinned answers, and list the saved dashboards.

Every dashboard is read from the local history (`c2q_tui.dashboards`): none of these actions sends
a request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from c2q_tui.tui.answers import AnswersMixin
from c2q_tui.tui.state import Turn

if TYPE_CHECKING:  # the store loads on the first dashboard action, not before the first frame
    from c2q_tui.dashboards import Dashboard, DashboardStore
    from c2q_tui.formats import TaskView


class DashboardsMixin(AnswersMixin):
    _dashboards: DashboardStore | None = None

    @property
    def dashboards(self) -> DashboardStore:
        from c2q_tui.dashboards import DashboardStore

        # the app's own History: its file is migrated already, and tests give each app their own
        if self._dashboards is None or self._dashboards.history is not self.history:
            self._dashboards = DashboardStore(self.history)
        return self._dashboards

    def _selected_task(self) -> tuple[Turn, int, TaskView] | None:
        """The focused answer's selected task (a breakdown's sub-task, else the answer itself)."""
        turn = self.state.focus_turn()
        if turn is None or turn.result is None:
            return None
        index = (
            self.state.selected[1] if self.state.selected and self.state.selected[0] == turn.turn_id else -1
        )
        picked = turn.sql_task(index)
        if picked is None:
            return None
        task = picked[1]
        if not (task.sql or task.columns or task.sql_error):
            return None
        return turn, picked[0], task

    def _on_dashboard(self) -> bool:
        from c2q_tui.tui.screens.dashboard import DashboardScreen

        return isinstance(self.screen, DashboardScreen)

    def action_pin_answer(self) -> None:
        if self._on_dashboard():
            return
        found = self._selected_task()
        if found is None:
            self.notify("Nothing to pin: select an answer that has SQL or rows.")
            return
        turn, index, task = found
        pinned = self.dashboards.toggle_pin(self.key, turn.turn_id, index, task, turn.question)
        count = self.dashboards.pinned(self.key).item_count
        title = task.clarified_task or turn.question
        if pinned:
            text = f"Pinned “{title}” ({count} pinned; d opens the dashboard)."
        else:
            text = f"Unpinned “{title}” ({count} pinned)."
        self.notify(text, title="Dashboard", markup=False)

    def action_open_dashboard(self) -> None:
        """A breakdown answer's dashboard of its sub-tasks; otherwise the pinned answers."""
        if self._on_dashboard():
            return
        turn = self.state.focus_turn()
        view = turn.view() if turn is not None and turn.result is not None else None
        if turn is not None and view is not None and view.sub_tasks and not turn.open:
            tasks = [(i, t) for i, t in enumerate(view.sub_tasks) if t.sql or t.columns or t.sql_error]
            if tasks:
                self.show_dashboard(
                    self.dashboards.from_breakdown(self.key, turn.turn_id, turn.question, tasks)
                )
                return
        board = self.dashboards.pinned(self.key)
        self.show_dashboard(board)

    def action_list_dashboards(self) -> None:
        from c2q_tui.tui.screens.dashboard_list import DashboardListScreen

        self.push_screen(DashboardListScreen(self.dashboards, self.key), self._dashboard_picked)

    def _dashboard_picked(self, dashboard_id: int | None) -> None:
        if dashboard_id is None:
            return
        board = self.dashboards.load(dashboard_id)
        if board is None:
            self.notify("That dashboard is gone (deleted by another window?).", severity="warning")
            return
        self.show_dashboard(board)

    def show_dashboard(self, board: Dashboard) -> None:
        from c2q_tui.tui.screens.dashboard import DashboardScreen

        self.push_screen(DashboardScreen(board, self.dashboards))
