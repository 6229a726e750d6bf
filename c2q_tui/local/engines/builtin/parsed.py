"""What the grammar finds in a question: aggregates, groups, orderings, limits, filters, entity and
projection candidates, still as mentions; `assemble.py` resolves them into a plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .index import Index, SchemaRef, ValueRef
from .linking import Mention

TIME_KW = {"YEAR": "year", "MONTH": "month", "DAY": "day", "WEEK": "week", "QUARTER": "month"}
CMP_KW = {"GT": ">", "GE": ">=", "LT": "<", "LE": "<=", "EQ": "="}
_DATE_PREP = {"in", "during", "of", "for", "on", "from", "since", "throughout", "within"}


class Unmappable(Exception):
    def __init__(self, message: str, words: list[str] | None = None) -> None:
        super().__init__(message)
        self.words = words or []


@dataclass
class AggSpec:
    func: str
    target: Mention | None  # schema mention, or None for "how many" without a noun
    distinct: bool = False
    sup: str | None = None  # "desc"/"asc": the question wants the group with the highest/lowest one
    having: tuple[str, list[Any]] | None = None  # a condition on the aggregate itself


@dataclass
class CmpSpec:
    op: str
    values: list[Any]
    col: Mention | None  # the column compared; None when the question doesn't say
    count_of: Mention | None = None  # "with more than 5 selections": HAVING COUNT
    is_date: bool = False  # values are ISO dates or year numbers meant as dates
    years: bool = False


@dataclass
class ValueSpec:
    refs: list[list[ValueRef]]  # one candidate list per mentioned value
    hint: Mention | None
    negate: bool = False
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Parsed:
    aggs: list[AggSpec] = field(default_factory=list)
    groups: list[Mention | str] = field(default_factory=list)  # schema mention or time unit
    order: list[tuple[Mention | str, str | None]] = field(default_factory=list)  # (measure, dir)
    limit: int | None = None
    top_dir: str | None = None  # "desc"/"asc" from "top"/"bottom"/"largest"
    sup: tuple[str, Mention | None] | None = None  # superlative without a number: (dir, target)
    values: list[ValueSpec] = field(default_factory=list)
    cmps: list[CmpSpec] = field(default_factory=list)
    tables: list[Mention] = field(default_factory=list)  # entity candidates, in order
    columns: list[Mention] = field(default_factory=list)  # projections / dimensions
    wh_target: Mention | None = None
    list_intent: bool = False
    share: bool = False
    trend: bool = False
    markers: set[str] = field(default_factory=set)  # ONLY ABOUT INSTEAD ALSO AND(leading)
    direction: str | None = None  # explicit ASC/DESC anywhere
    unmapped: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (concept, explanation)
    pending_func: str | None = None  # "the average instead": aggregate without its own target
    qualifiers: list[Mention] = field(default_factory=list)  # tables that qualify a measure
    compare: bool = False  # "compare X of A and B": one row per compared value
    sup_time: bool = False  # "oldest", "most recent": the superlative is about dates
    price_hint: bool = False  # "cheaper than 20", "most expensive": about a price


def numeric_col(idx: Index, m: Mention | None) -> SchemaRef | None:
    if m is None or m.kind != "schema":
        return None
    cols = [r for r in m.columns if idx.col(r.table, r.column or "").measure]
    return max(cols, key=lambda r: r.score) if cols else None


def is_table(m: Mention | None) -> bool:
    return (
        m is not None
        and m.kind == "schema"
        and bool(m.tables)
        and (not m.columns or max(r.score for r in m.tables) >= max(r.score for r in m.columns))
    )
