"""One question and its answer: status with spinner, elapsed time and requests spent, the clarified
task, assumptions, breakdown sub-tasks as they arrive, or an error card with the reason.

Focusing (or clicking) a card selects its answer; left/right pick a breakdown sub-task. The card only
renders the `Turn` it is given; the app updates the turn and calls `refresh_turn`.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from c2q_tui.formats import TaskView
from c2q_tui.tui import actions
from c2q_tui.tui.messages import AnswerSelected
from c2q_tui.tui.state import Turn, truncated

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
ERROR_TITLES = {
    "auth": "Authentication failed",
    "rate_limited": "Rate limited",
    "not_ready": "Data summary not ready",
    "not_found": "Not found",
    "network": "Network error",
    "job_failed": "The question could not be answered",
    "timeout": "Timed out",
    "bad_response": "Unreadable answer",
    "cancelled": "Cancelled",
    "interrupted": "Interrupted",
    "error": "Error",
}


def _rows(task: TaskView) -> str:
    n = len(task.rows)
    more = "+" if truncated(task) else ""
    cols = len(task.columns)
    return f"{n:,}{more} row{'s' if n != 1 else ''} × {cols} column{'s' if cols != 1 else ''}"


class SubTaskLine(Static):
    """One sub-task of a breakdown; clicking it selects it."""

    def __init__(self, index: int, content: Content) -> None:
        super().__init__(content, classes="subtask")
        self.index = index
        self.text = content

    def on_click(self, event: events.Click) -> None:
        event.stop()
        card = next((a for a in self.ancestors if isinstance(a, AnswerCard)), None)
        if card is not None:
            card.select_task(self.index)


class AnswerCard(Vertical, can_focus=True):
    BINDINGS = actions.bindings("answer")

    def __init__(self, turn: Turn, *, clock: Callable[[], float], live: bool = True) -> None:
        super().__init__(classes="answer-card")
        self.turn = turn
        self.clock = clock
        self.live = live
        self.task_index = -1
        self._frame = 0
        self._timer: Timer | None = None
        self._subtasks_shown = -1
        self._composed = False  # children exist (is_mounted is still False inside on_mount)

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(("❯ ", "bold $accent"), (self.turn.question, "bold")), classes="question"
        )
        yield Static("", classes="status")
        yield Static("", classes="body")
        yield Vertical(classes="subtasks")
        yield Static("", classes="footnote")

    def on_mount(self) -> None:
        self._composed = True
        self.refresh_turn(self.turn)

    def on_unmount(self) -> None:
        self._stop_timer()

    # -- rendering -----------------------------------------------------------------------------

    def refresh_turn(self, turn: Turn) -> None:
        self.turn = turn
        if not self._composed:
            return
        self.set_class(turn.status == "failed", "-error")
        self.set_class(turn.status == "cancelled", "-cancelled")
        self.set_class(turn.open, "-open")
        if turn.open and self.live and self._timer is None:
            self._timer = self.set_interval(0.1, self._tick)
        elif not turn.open:
            self._stop_timer()
        self._render_status()
        self._render_body()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        self._frame += 1
        self._render_status()

    def _render_status(self) -> None:
        t = self.turn
        spent = f"{t.requests_spent} request{'s' if t.requests_spent != 1 else ''}"
        if t.open:
            glyph = SPINNER[self._frame % len(SPINNER)] if self.live else "…"
            elapsed = max(0.0, self.clock() - t.created_at)
            if t.status == "waiting":
                label = "waiting to be sent"
            elif t.status == "submitting":
                label = "sending"
            else:
                label = {"init": "queued", "": "running"}.get(t.job_status, t.job_status)
            parts = [label, f"{elapsed:.1f} s", spent]
            if t.mode == "auto_breakdown":
                parts.insert(1, "breakdown")
            status = Content.assemble((glyph + " ", "bold $warning"), " · ".join(parts))
        else:
            glyph, style = {"done": ("✓", "bold $success"), "failed": ("✗", "bold $error")}.get(
                t.status, ("■", "bold $text-muted")
            )
            parts = [t.status]
            if t.elapsed is not None:
                parts.append(f"{t.elapsed:.1f} s")
            parts.append(spent)
            status = Content.assemble((glyph + " ", style), " · ".join(parts))
        # one fixed line (app.tcss): the spinner ticks 10 times a second, and a relayout of the
        # whole screen per tick is what made typing lag while answers were pending
        self.query_one(".status", Static).update(status, layout=False)

    def _render_body(self) -> None:
        t = self.turn
        body: list[Content] = []
        foot: list[Content] = []
        view = t.view() if t.result is not None else None
        if view is not None:
            main = view.main
            if main.clarified_task:
                body.append(Content(main.clarified_task))
            for a in main.assumptions:
                body.append(
                    Content.assemble(
                        ("assumed ", "italic $text-muted"), (a["concept"], "italic"), ": ", a["explanation"]
                    )
                )
            if not view.sub_tasks:
                if main.sql_error:
                    foot.append(Content.assemble(("SQL error: ", "bold $error"), main.sql_error))
                elif main.sql:
                    foot.append(Content.styled(_rows(main), "dim"))
        if t.status == "failed" or t.status == "cancelled" or t.error_kind:
            title = ERROR_TITLES.get(t.error_kind or "job_failed", "Error")
            foot.append(Content.assemble((title + ": ", "bold $error"), t.reason or "no reason given"))
        elif t.status == "waiting" and not body:
            foot.append(
                Content.styled("It is sent as soon as the connection (and the data summary) is ready.", "dim")
            )
        self.query_one(".body", Static).update(Content("\n").join(body))
        self.query_one(".body", Static).display = bool(body)
        self.query_one(".footnote", Static).update(Content("\n").join(foot))
        self.query_one(".footnote", Static).display = bool(foot)
        self._render_subtasks(view.sub_tasks if view is not None else [])

    def _render_subtasks(self, subs: list[TaskView]) -> None:
        box = self.query_one(".subtasks", Vertical)
        box.display = bool(subs) or (
            self.turn.open and self.turn.mode == "auto_breakdown" and self.turn.result is not None
        )
        lines: list[SubTaskLine] = []
        for i, sub in enumerate(subs):
            marker = "▶ " if i == self.task_index else "  "
            n = len(sub.rows)
            tail = (
                Content.styled(" — SQL error", "$error")
                if sub.sql_error
                else Content.styled(
                    f" — {n:,}{'+' if truncated(sub) else ''} row{'s' if n != 1 else ''}", "dim"
                )
                if sub.sql
                else Content("")
            )
            lines.append(
                SubTaskLine(
                    i,
                    Content.assemble(
                        (marker, "bold $accent"), f"{i + 1}. ", sub.clarified_task or sub.description, tail
                    ),
                )
            )
        if len(subs) != self._subtasks_shown:
            self._subtasks_shown = len(subs)
            box.remove_children()
            if lines:
                box.mount_all(lines)
        else:
            for line, new in zip(box.query(SubTaskLine), lines, strict=False):
                line.text = new.text
                line.update(new.text)
        if self.turn.open and subs:
            box.border_subtitle = f"{len(subs)} so far"
        else:
            box.border_subtitle = ""

    # -- selection -----------------------------------------------------------------------------

    def set_selected(self, selected: bool, task_index: int = -1) -> None:
        self.set_class(selected, "-selected")
        if selected and task_index != self.task_index:
            self.task_index = task_index
            self._render_subtasks(self.turn.view().sub_tasks if self.turn.result is not None else [])

    def select_task(self, index: int) -> None:
        self.task_index = index
        self.focus()
        self.post_message(AnswerSelected(self.turn.turn_id, index))
        self._render_subtasks(self.turn.view().sub_tasks if self.turn.result is not None else [])

    def on_focus(self) -> None:
        self.post_message(AnswerSelected(self.turn.turn_id, self.task_index))

    def on_click(self, event: events.Click) -> None:
        self.focus()

    def _count(self) -> int:
        return len(self.turn.view().sub_tasks) if self.turn.result is not None else 0

    def action_next_task(self) -> None:
        n = self._count()
        if n:
            self.select_task(self.task_index + 1 if self.task_index + 1 < n else -1)

    def action_previous_task(self) -> None:
        n = self._count()
        if n:
            self.select_task(self.task_index - 1 if self.task_index >= 0 else n - 1)
