"""suggestQuestions: questions built from the schema (and the summary's frequent values), kept only
when this engine answers them with SQL that runs and returns rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from c2q_tui.local.database import SqlError
from c2q_tui.local.engines.base import Answer, EngineContext, EngineError

from .index import ColMeta, Index, TableMeta
from .lexicon import words_of

if TYPE_CHECKING:
    from .engine import BuiltinEngine


def _dims(tm: TableMeta) -> list[ColMeta]:
    rows = max(tm.row_count, 1)
    return [
        c
        for c in tm.columns.values()
        if c.indexed and not c.key and c.distinct and 2 <= c.distinct <= 30 and c.distinct < rows / 2
    ]


def _measures(tm: TableMeta) -> list[ColMeta]:
    return [c for c in tm.columns.values() if c.measure and c.derived is None and (c.distinct or 0) > 10]


def _name(c: ColMeta) -> str:
    words = words_of(c.name)
    while len(words) > 1 and words[-1] in ("code", "symbol", "id", "name"):
        words = words[:-1]
    return " ".join(words)


def candidates(idx: Index) -> list[list[str]]:
    """One list per table, most informative first; `suggest` takes them round-robin."""
    out: list[list[str]] = []

    def rank(t: TableMeta) -> tuple[bool, bool, int]:
        entity = t.label is not None and t.label not in t.info.primary_key
        return (not (entity and bool(_measures(t))), not _dims(t), -t.row_count)

    tables = sorted(idx.tables.values(), key=rank)
    for tm in tables:
        if not tm.row_count:
            continue
        qs: list[str] = []
        plural = " ".join(w for w in tm.name.lower().split("_"))
        dims, measures = _dims(tm), _measures(tm)
        has_label = tm.label is not None and tm.label not in tm.info.primary_key
        if measures and has_label:
            qs.append(f"What are the top 5 {plural} by {_name(measures[0])}?")
        if measures and dims:
            qs.append(f"What is the average {_name(measures[0])} per {_name(dims[0])}?")
        if dims:
            qs.append(f"How many {plural} are there per {_name(dims[0])}?")
        temporal = [c for c in tm.columns.values() if c.temporal]
        if temporal:
            qs.append(f"How many {plural} are there per month?")
        if dims and len(dims) > 1:
            qs.append(f"How many {plural} are there per {_name(dims[1])}?")
        qs.append(f"How many {plural} are there?")
        out.append(qs)
    return out


def suggest(engine: BuiltinEngine, ctx: EngineContext, limit: int) -> list[str]:
    idx = engine.index(ctx)
    pools = candidates(idx)
    picked: list[str] = []
    saved = ctx.history
    ctx.history = []
    try:
        rank = 0
        while len(picked) < limit and any(rank < len(p) for p in pools):
            for pool in pools:
                if rank >= len(pool) or len(picked) >= limit:
                    continue
                q = pool[rank]
                if _answers(engine, ctx, q):
                    picked.append(q)
            rank += 1
    finally:
        ctx.history = saved
    return picked


def _answers(engine: BuiltinEngine, ctx: EngineContext, question: str) -> bool:
    try:
        ans = engine.answer(question, ctx, "direct")
        if not isinstance(ans, Answer):
            return False
        return bool(ctx.db.execute(ans.sql, limit=1).rows)
    except (EngineError, SqlError):
        return False
