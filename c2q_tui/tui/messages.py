"""Past-tense messages shared by the app, its widgets and its workers.

Widgets post what the user did (`QuestionSubmitted`, `AnswerSelected`, ...); workers post what
happened (`JobStarted`, `JobProgressed`, `AnswerReady`, ...). Only the app's handlers change state.
Payloads are plain data (dicts, lists, numbers), never API models or widgets, so a message can be
logged, asserted in tests and kept in history as it is.

The question chain: QuestionSubmitted -> JobStarted -> JobProgressed* -> AnswerReady | AnswerFailed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:  # annotations only: the API client (httpx, pydantic) loads after the first frame
    from c2q_tui.api import QuotaStatus
    from c2q_tui.connection import Connection


class AppMessage(Message):
    """Base of the app's messages (the app drops them once it is shutting down)."""


# -- start-up ------------------------------------------------------------------------------------


class ConnectProgressed(AppMessage):
    """The connection is being prepared (e.g. building the sample database)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Connected(AppMessage):
    def __init__(self, connection: Connection, generation: int) -> None:
        super().__init__()
        self.connection = connection
        self.generation = generation  # which connect attempt; late answers of older ones are dropped


class ConnectFailed(AppMessage):
    def __init__(self, reason: str, generation: int) -> None:
        super().__init__()
        self.reason = reason
        self.generation = generation


class SummaryProgressed(AppMessage):
    def __init__(self, database: str, status: str, elapsed: float) -> None:
        super().__init__()
        self.database = database
        self.status = status
        self.elapsed = elapsed


class SummaryReady(AppMessage):
    def __init__(self, database: str, generation: int) -> None:
        super().__init__()
        self.database = database
        self.generation = generation


class SummaryFailed(AppMessage):
    def __init__(self, database: str, reason: str, kind: str, generation: int) -> None:
        super().__init__()
        self.database = database
        self.reason = reason
        self.kind = kind
        self.generation = generation


class HistoryLoaded(AppMessage):
    """Sessions (and the open turns to resume) read from the local history, without any request."""

    def __init__(self, sessions: list[Any], open_turns: list[Any]) -> None:
        super().__init__()
        self.sessions = sessions  # list[history.SessionRow]
        self.open_turns = open_turns  # list[history.TurnRow]


class SessionLoaded(AppMessage):
    def __init__(self, session_id: int, turns: list[Any], refinements: list[Any]) -> None:
        super().__init__()
        self.session_id = session_id
        self.turns = turns  # list[history.TurnRow]
        self.refinements = refinements  # list[history.RefinementRow]


class QuotaUpdated(AppMessage):
    def __init__(self, status: QuotaStatus, unlimited: bool) -> None:
        super().__init__()
        self.status = status
        self.unlimited = unlimited


# -- asking --------------------------------------------------------------------------------------


class QuestionSubmitted(AppMessage):
    """The user asked `text` in `session` (a draft session has a negative id)."""

    def __init__(self, session: int | None, text: str, mode: str) -> None:
        super().__init__()
        self.session = session
        self.text = text
        self.mode = mode


class JobStarted(AppMessage):
    def __init__(self, turn_id: int, job_id: str, session_id: int | None, requests_spent: int) -> None:
        super().__init__()
        self.turn_id = turn_id
        self.job_id = job_id
        self.session_id = session_id
        self.requests_spent = requests_spent


class JobProgressed(AppMessage):
    def __init__(
        self,
        turn_id: int,
        status: str,
        partial: dict[str, Any] | None,
        requests_spent: int,
        elapsed: float,
        next_poll_in: float | None = None,
    ) -> None:
        super().__init__()
        self.turn_id = turn_id
        self.status = status
        self.partial = partial  # the job's result so far (breakdown sub-tasks arrive one by one)
        self.requests_spent = requests_spent
        self.elapsed = elapsed
        self.next_poll_in = next_poll_in


class AnswerReady(AppMessage):
    def __init__(
        self, turn_id: int, result: dict[str, Any] | None, requests_spent: int, elapsed: float
    ) -> None:
        super().__init__()
        self.turn_id = turn_id
        self.result = result
        self.requests_spent = requests_spent
        self.elapsed = elapsed


class AnswerFailed(AppMessage):
    """The question got no answer. `kind`: auth, rate_limited, not_ready, not_found, network,
    job_failed, timeout, bad_response, cancelled, interrupted, error."""

    def __init__(
        self, turn_id: int, reason: str, kind: str, requests_spent: int = 0, elapsed: float | None = None
    ) -> None:
        super().__init__()
        self.turn_id = turn_id
        self.reason = reason
        self.kind = kind
        self.requests_spent = requests_spent
        self.elapsed = elapsed


class AnswerSelected(AppMessage):
    """The user selected an answer (`task_index` -1 is the whole answer, else a breakdown sub-task)."""

    def __init__(self, turn_id: int, task_index: int = -1) -> None:
        super().__init__()
        self.turn_id = turn_id
        self.task_index = task_index


# -- refine and run ------------------------------------------------------------------------------


class RefineSubmitted(AppMessage):
    def __init__(self, feedback: str) -> None:
        super().__init__()
        self.feedback = feedback


class RefineReady(AppMessage):
    def __init__(self, refine_id: int, turn_id: int, old_sql: str, new_sql: str, explanation: str) -> None:
        super().__init__()
        self.refine_id = refine_id
        self.turn_id = turn_id
        self.old_sql = old_sql
        self.new_sql = new_sql
        self.explanation = explanation


class RefineFailed(AppMessage):
    def __init__(self, refine_id: int, turn_id: int, reason: str, kind: str) -> None:
        super().__init__()
        self.refine_id = refine_id
        self.turn_id = turn_id
        self.reason = reason
        self.kind = kind


class SqlRunRequested(AppMessage):
    def __init__(self, sql: str) -> None:
        super().__init__()
        self.sql = sql


class SqlRan(AppMessage):
    def __init__(
        self, sql: str, columns: list[str], rows: list[tuple[Any, ...]], truncated: bool, elapsed: float
    ) -> None:
        super().__init__()
        self.sql = sql
        self.columns = columns
        self.rows = rows
        self.truncated = truncated
        self.elapsed = elapsed


class SqlRunFailed(AppMessage):
    def __init__(self, sql: str, error: str) -> None:
        super().__init__()
        self.sql = sql
        self.error = error


# -- suggestions ---------------------------------------------------------------------------------


class SuggestionsReady(AppMessage):
    def __init__(self, questions: list[str], requests_spent: int) -> None:
        super().__init__()
        self.questions = questions
        self.requests_spent = requests_spent


class SuggestionsFailed(AppMessage):
    def __init__(self, reason: str, kind: str) -> None:
        super().__init__()
        self.reason = reason
        self.kind = kind


class SuggestionChosen(AppMessage):
    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question


# -- sessions ------------------------------------------------------------------------------------


class SessionSelected(AppMessage):
    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id


class SessionRenamed(AppMessage):
    """A rename reached the server (or was local only, for a draft); `error` when the server refused."""

    def __init__(self, session_id: int, name: str, error: str = "") -> None:
        super().__init__()
        self.session_id = session_id
        self.name = name
        self.error = error


class SessionReset(AppMessage):
    def __init__(self, session_id: int, error: str = "", kind: str = "") -> None:
        super().__init__()
        self.session_id = session_id
        self.error = error
        self.kind = kind


# -- explain / optimize / convert ----------------------------------------------------------------
# One run: AssistChunkArrived* -> AssistFinished | AssistFailed. `run_id` tells a cancelled or
# replaced run's late messages apart from the current one's.


class AssistChunkArrived(AppMessage):
    def __init__(self, run_id: int, text: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.text = text


class AssistFinished(AppMessage):
    def __init__(self, run_id: int) -> None:
        super().__init__()
        self.run_id = run_id


class AssistFailed(AppMessage):
    """The run stopped with `reason` (one line); chunks that arrived before stay shown."""

    def __init__(self, run_id: int, reason: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.reason = reason


class AssistCancelRequested(AppMessage):
    """The user pressed escape on a running explain / optimize / convert."""


class AssistSqlChosen(AppMessage):
    """The user wants the optimized or converted SQL in the SQL viewer, ready to run or copy."""

    def __init__(self, sql: str, dialect: str, what: str) -> None:
        super().__init__()
        self.sql = sql
        self.dialect = dialect  # sqlglot dialect to pretty-print it in
        self.what = what  # e.g. "the SQL converted to PostgreSQL"
