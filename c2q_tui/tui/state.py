"""What the app knows: sessions, turns and refinements, as plain data the handlers change.

Widgets render from these objects; only the app's message handlers mutate them. Nothing here imports
Textual, so the bookkeeping (drafts, running jobs, selection) is testable on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: both load once the first answer or history row needs them
    from c2q_tui.formats import AnswerView, TaskView
    from c2q_tui.history import RefinementRow, SessionRow, TurnRow

# A turn is "waiting" while the app is not connected yet (or its draft session is being opened by an
# earlier question); "submitting" while its request is on the way; "running" once it has a job id.
OPEN = frozenset({"waiting", "submitting", "running"})
FINISHED = frozenset({"done", "failed", "cancelled"})
ROW_LIMIT = 1000  # the service returns at most this many rows of an answer


@dataclass
class Refinement:
    refine_id: int
    turn_id: int
    task_id: str
    feedback: str
    old_sql: str
    new_sql: str | None = None
    explanation: str = ""
    status: str = "submitting"
    reason: str = ""

    @classmethod
    def from_row(cls, r: RefinementRow) -> Refinement:
        return cls(
            r.refine_id,
            r.turn_id,
            r.task_id,
            r.feedback,
            r.old_sql,
            r.new_sql,
            r.explanation,
            r.status,
            r.reason,
        )


@dataclass
class Turn:
    turn_id: int
    session_id: int
    question: str
    mode: str
    status: str
    created_at: float
    job_id: str | None = None
    result: dict[str, Any] | None = None
    reason: str = ""
    error_kind: str = ""
    requests_spent: int = 0
    finished_at: float | None = None
    job_status: str = ""  # the job's own status while open (init, running)
    elapsed: float | None = None  # seconds the answer took, when known
    refinements: list[Refinement] = field(default_factory=list)

    @classmethod
    def from_row(cls, r: TurnRow) -> Turn:
        status = r.status
        finished = status in FINISHED
        return cls(
            turn_id=r.turn_id,
            session_id=r.session_id if r.session_id is not None else 0,
            question=r.question,
            mode=r.mode,
            status=status,
            created_at=r.created_at,
            job_id=r.job_id,
            result=r.result if isinstance(r.result, dict) else None,
            reason=r.reason,
            error_kind=r.error_kind,
            requests_spent=r.requests_spent,
            finished_at=r.updated_at if finished else None,
            elapsed=max(0.0, r.updated_at - r.created_at) if finished else None,
        )

    @property
    def open(self) -> bool:
        return self.status in OPEN

    def view(self) -> AnswerView:
        from c2q_tui.formats import answer_view

        job = {"job_id": self.job_id, "status": self.status, "reason": self.reason, "result": self.result}
        return answer_view(self.question, job, session_id=self.session_id, requests_spent=self.requests_spent)

    def task(self, index: int) -> TaskView | None:
        """The selected part of the answer: -1 the answer itself, else a breakdown sub-task."""
        if self.result is None:
            return None
        view = self.view()
        if index < 0:
            return view.main
        return view.sub_tasks[index] if index < len(view.sub_tasks) else None

    def sql_task(self, index: int) -> tuple[int, TaskView] | None:
        """The task whose SQL a selection shows: the sub-task, or for a breakdown root its first
        sub-task with SQL (the root itself has none)."""
        task = self.task(index)
        if task is None:
            return None
        if task.sql or index >= 0:
            return index, task
        for i, sub in enumerate(self.view().sub_tasks):
            if sub.sql:
                return i, sub
        return index, task


@dataclass
class Session:
    session_id: int
    name: str
    database: str | None
    updated_at: float
    reset_at: float | None = None
    turn_ids: list[int] = field(default_factory=list)
    loaded: bool = False  # turns read from history (sessions other than the first load lazily)
    stored_running: int = 0  # running turns history reported before the turns were loaded

    @classmethod
    def from_row(cls, r: SessionRow) -> Session:
        return cls(r.session_id, r.name, r.database, r.updated_at, r.reset_at, stored_running=r.running_count)

    @property
    def draft(self) -> bool:
        return self.session_id < 0

    @property
    def title(self) -> str:
        return self.name or ("New session" if self.draft else f"Session {self.session_id}")


class AppState:
    def __init__(self) -> None:
        self.sessions: dict[int, Session] = {}
        self.turns: dict[int, Turn] = {}
        self.current: int | None = None
        self.selected: tuple[int, int] | None = None  # (turn id, task index)
        self.mode = "direct"
        self.questions: list[str] = []  # asked so far, oldest first (input history)

    # -- sessions ------------------------------------------------------------------------------

    def ordered_sessions(self) -> list[Session]:
        return sorted(self.sessions.values(), key=lambda s: (s.updated_at, s.session_id), reverse=True)

    def session_turns(self, session_id: int) -> list[Turn]:
        s = self.sessions.get(session_id)
        return [self.turns[t] for t in s.turn_ids if t in self.turns] if s else []

    def running_sessions(self) -> set[int]:
        running = {t.session_id for t in self.turns.values() if t.open}
        running |= {s.session_id for s in self.sessions.values() if not s.loaded and s.stored_running}
        return running

    def add_turn(self, turn: Turn) -> None:
        self.turns[turn.turn_id] = turn
        s = self.sessions.get(turn.session_id)
        if s is not None and turn.turn_id not in s.turn_ids:
            s.turn_ids.append(turn.turn_id)
            s.turn_ids.sort()
        if turn.question not in self.questions[-1:]:
            self.questions.append(turn.question)

    def load_session(self, session_id: int, turns: list[Turn], refinements: list[Refinement]) -> None:
        s = self.sessions.get(session_id)
        if s is None:
            return
        for t in turns:
            known = self.turns.get(t.turn_id)
            if known is None or not known.open:  # a live turn knows more than its stored row
                self.turns[t.turn_id] = t
        by_turn: dict[int, list[Refinement]] = {}
        for r in refinements:
            by_turn.setdefault(r.turn_id, []).append(r)
        for t in turns:
            if t.turn_id in by_turn and not self.turns[t.turn_id].refinements:
                self.turns[t.turn_id].refinements = by_turn[t.turn_id]
        s.turn_ids = sorted({*s.turn_ids, *(t.turn_id for t in turns)})
        s.loaded = True
        s.stored_running = 0

    def adopt_draft(self, draft_id: int, session_id: int) -> None:
        """The server opened `session_id` for the draft: the draft's turns and name move there."""
        draft = self.sessions.pop(draft_id, None)
        target = self.sessions.get(session_id)
        if target is None:
            target = Session(
                session_id,
                draft.name if draft else "",
                draft.database if draft else None,
                draft.updated_at if draft else 0.0,
                loaded=True,
            )
            self.sessions[session_id] = target
        if draft is not None:
            target.turn_ids = sorted({*target.turn_ids, *draft.turn_ids})
            target.name = target.name or draft.name
            target.loaded = target.loaded or draft.loaded
        for t in self.turns.values():
            if t.session_id == draft_id:
                t.session_id = session_id
        if self.current == draft_id:
            self.current = session_id

    def remove_session(self, session_id: int) -> None:
        s = self.sessions.pop(session_id, None)
        if s is None:
            return
        for t in s.turn_ids:
            self.turns.pop(t, None)
        if self.selected and self.selected[0] in s.turn_ids:
            self.selected = None
        if self.current == session_id:
            self.current = None

    def drafts_waiting_for(self, draft_id: int) -> bool:
        """True while a question of the draft is on its way: later ones wait for the session id."""
        return any(
            t.session_id == draft_id and t.status in ("submitting", "running") and t.job_id is None
            for t in self.turns.values()
        )

    # -- selection -----------------------------------------------------------------------------

    def selected_turn(self) -> Turn | None:
        return self.turns.get(self.selected[0]) if self.selected else None

    def focus_turn(self) -> Turn | None:
        """The answer actions apply to: the selected one, else the latest of the current session."""
        turn = self.selected_turn()
        if turn is not None and turn.session_id == self.current:
            return turn
        turns = self.session_turns(self.current) if self.current is not None else []
        return turns[-1] if turns else None

    def latest_open_turn(self) -> Turn | None:
        turns = [t for t in self.session_turns(self.current) if t.open] if self.current is not None else []
        return turns[-1] if turns else None


def truncated(task: TaskView) -> bool:
    """The service returns at most 1000 rows and says nothing of the rest: at the cap, assume more."""
    return len(task.rows) >= ROW_LIMIT
