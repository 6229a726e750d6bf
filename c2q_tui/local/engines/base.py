"""The seam between the embedded backend and its NL-to-SQL engines.

An engine turns a question into SQL plus the explanation Chat2Query gives with it (clarified task,
assumptions, chart hint), rewrites SQL from feedback, and suggests questions. The backend executes the
SQL, so an engine never needs write access; it may run trusted reads through `ctx.db` (value indexes,
checking a candidate). Methods are blocking and run in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from c2q_tui.local.database import Database
from c2q_tui.local.schema import SchemaInfo

Mode = Literal["direct", "auto_breakdown"]
KnowledgeKind = Literal["few-shot", "term-sheet", "instruction"]


class EngineError(Exception):
    """The engine cannot answer; the message becomes the failed job's `reason`.

    Say what could not be mapped and what is closest, e.g.
    "could not map 'flights' to a table; closest tables: orders, shipments".
    """


@dataclass(frozen=True)
class KnowledgeItem:
    kind: KnowledgeKind
    # few-shot {question, answer}; term-sheet {term: [...], description}; instruction {instruction}
    raw_data: dict[str, Any]


@dataclass(frozen=True)
class PriorTurn:
    """An earlier answered turn of the same session, oldest first in `EngineContext.history`."""

    question: str
    clarified_task: str
    sql: str | None
    columns: tuple[str, ...] = ()
    row_count: int = 0
    state: dict[str, Any] | None = None  # what the engine returned as Answer.state for that turn


@dataclass
class EngineContext:
    db: Database
    schema: SchemaInfo
    # The v3 DataSummaryObject (reference §3.2; relationships in array form), with user edits applied.
    summary: dict[str, Any] | None = None
    knowledge: list[KnowledgeItem] = field(default_factory=list)
    history: list[PriorTurn] = field(default_factory=list)


@dataclass
class Assumption:
    concept: str
    explanation: str


@dataclass
class Answer:
    """One answered task (`type: data_retrieval`)."""

    sql: str
    clarified_task: str
    assumptions: list[Assumption] = field(default_factory=list)
    description: str = ""
    # chart_options as the API returns them; None lets the backend choose from the rows (charts.py)
    chart: dict[str, Any] | None = None
    chart_intent: Literal["auto", "share", "trend", "table"] = "auto"
    # JSON-serialisable, kept with the turn and handed back in PriorTurn.state for follow-ups
    state: dict[str, Any] | None = None


@dataclass
class Breakdown:
    """A compound question split into sub-tasks (`type: breakdown`)."""

    clarified_task: str
    sub_tasks: list[Answer]
    assumptions: list[Assumption] = field(default_factory=list)
    description: str = ""
    state: dict[str, Any] | None = None


@dataclass
class Refinement:
    rewritten_sql: str
    solution: str  # what changed and why, in a sentence or two


class Engine(Protocol):
    name: str

    def answer(self, question: str, ctx: EngineContext, mode: Mode) -> Answer | Breakdown:
        """Raise EngineError when the question can't be mapped; never return an unrelated query."""
        ...

    def refine(self, sql: str, feedback: str, ctx: EngineContext) -> Refinement: ...

    def suggest(self, ctx: EngineContext, limit: int = 5) -> list[str]:
        """Questions this engine can answer on this database."""
        ...
