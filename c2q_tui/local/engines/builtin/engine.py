"""BuiltinEngine: offline, deterministic NL-to-SQL over any schema (design §4)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from typing import Any

from c2q_tui.local.engines.base import (
    Answer,
    Assumption,
    Breakdown,
    EngineContext,
    EngineError,
    Mode,
    Refinement,
)

from .assemble import Assembler
from .describe import chart_intent, describe
from .followup import is_followup, merge
from .grammar import Grammar
from .index import Index, build_index
from .knowledge import Knowledge, build_knowledge, question_key
from .linking import link
from .parsed import Unmappable
from .plan import Plan
from .sqlgen import JoinError, SqlBuilder

STATE_VERSION = 1
_SPLIT = re.compile(
    r"\s*(?:;|\.\s+|\band then\b|\band also\b|,?\s+and\s+(?=(?:list|show|give|find|what|which|how|count|"
    r"display|get|tell|name|rank|sort|who)\b))\s*",
    re.I,
)


class BuiltinEngine:
    name = "builtin"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: OrderedDict[tuple[str, str], Index] = OrderedDict()
        self._knowledge: OrderedDict[str, Knowledge] = OrderedDict()

    # -- caches ---------------------------------------------------------------------------------
    def index(self, ctx: EngineContext) -> Index:
        key = (ctx.db.url, hashlib.sha1(repr(ctx.schema).encode()).hexdigest())
        with self._lock:
            idx = self._indexes.get(key)
            if idx is not None:
                self._indexes.move_to_end(key)
                return idx
        idx = build_index(ctx.db, ctx.schema)
        with self._lock:
            self._indexes[key] = idx
            while len(self._indexes) > 8:
                self._indexes.popitem(last=False)
        return idx

    def knowledge(self, ctx: EngineContext, idx: Index) -> Knowledge:
        raw = json.dumps(
            [ctx.summary and ctx.summary.get("tables"), [(k.kind, k.raw_data) for k in ctx.knowledge]],
            sort_keys=True,
            default=str,
        )
        key = f"{id(idx)}:{hashlib.sha1(raw.encode()).hexdigest()}"
        with self._lock:
            kn = self._knowledge.get(key)
        if kn is None:
            kn = build_knowledge(idx, ctx.summary, ctx.knowledge)
            with self._lock:
                self._knowledge[key] = kn
                while len(self._knowledge) > 32:
                    self._knowledge.popitem(last=False)
        return kn

    # -- answering ------------------------------------------------------------------------------
    def answer(self, question: str, ctx: EngineContext, mode: Mode) -> Answer | Breakdown:
        idx = self.index(ctx)
        kn = self.knowledge(ctx, idx)
        prev = self._previous_plan(ctx)
        key = question_key(question)
        for q_key, sql in kn.fewshots:
            if q_key == key:
                return Answer(
                    sql=sql,
                    clarified_task=question.strip(),
                    assumptions=[
                        Assumption(
                            "knowledge base", "answered with the matching example from the knowledge base"
                        )
                    ],
                )
        parts = [s for s in _SPLIT.split(question.strip()) if s and len(s.split()) > 1]
        if mode == "auto_breakdown" and len(parts) > 1:
            return self._breakdown(question, parts, ctx, idx, kn, prev)
        try:
            return self._one(question, ctx, idx, kn, prev)
        except EngineError:
            if len(parts) > 1:
                first = self._one(parts[0], ctx, idx, kn, prev)
                first.assumptions.append(
                    Assumption(
                        "compound question",
                        "only the first part was answered; ask in auto_breakdown mode for every part",
                    )
                )
                return first
            raise

    def _breakdown(
        self,
        question: str,
        parts: list[str],
        ctx: EngineContext,
        idx: Index,
        kn: Knowledge,
        prev: Plan | None,
    ) -> Breakdown:
        subs: list[Answer] = []
        last = prev
        for part in parts:
            ans = self._one(part, ctx, idx, kn, last, carry=True)
            subs.append(ans)
            if ans.state and "plan" in ans.state:
                last = Plan.from_dict(ans.state["plan"])
        return Breakdown(
            clarified_task=" Then ".join(a.clarified_task for a in subs),
            sub_tasks=subs,
            state=subs[-1].state if subs else None,
        )

    def _previous_plan(self, ctx: EngineContext) -> Plan | None:
        for turn in reversed(ctx.history):
            if turn.state and turn.state.get("version") == STATE_VERSION and turn.state.get("plan"):
                try:
                    return Plan.from_dict(turn.state["plan"])
                except (KeyError, TypeError):
                    return None
        return None

    def plan(
        self, question: str, idx: Index, kn: Knowledge, prev: Plan | None, carry: bool = False
    ) -> tuple[Plan, list[tuple[str, str]], bool]:
        mentions = link(question, idx, kn.overlay)
        parsed = Grammar(idx, mentions).parse()
        asm = Assembler(idx, parsed, question)
        if prev is not None and prev.table in idx.tables and is_followup(parsed, question):
            plan = merge(asm, prev)
        else:
            plan = asm.build()
            if (
                carry
                and prev is not None
                and re.search(r"\b(their|them|those|these|they|its)\b", question, re.I)
            ):
                # "... and list their largest companies": keep the previous part's filters
                for f in prev.filters:
                    if f not in plan.filters:
                        plan.filters.append(f)
                asm.note("their", "restricted to the same rows as the previous part")
        if kn.default_limit and plan.limit is None and not plan.aggs:
            plan.limit = kn.default_limit
            asm.note("limit", f"limited to {kn.default_limit} rows as the knowledge base instructs")
        return plan, asm.notes, parsed.share

    def _one(
        self,
        question: str,
        ctx: EngineContext,
        idx: Index,
        kn: Knowledge,
        prev: Plan | None,
        carry: bool = False,
    ) -> Answer:
        try:
            plan, notes, share = self.plan(question, idx, kn, prev, carry)
            builder = SqlBuilder(idx, ctx.db.dialect, lambda n: ctx.db.quote(n) != n)
            sql, _ = builder.build(plan)
        except Unmappable as e:
            raise EngineError(str(e)) from None
        except JoinError as e:
            raise EngineError(f"could not join the tables the question needs: {e}") from None
        state: dict[str, Any] = {"version": STATE_VERSION, "plan": plan.to_dict()}
        return Answer(
            sql=sql,
            clarified_task=describe(idx, plan),
            assumptions=[Assumption(c, e) for c, e in notes],
            chart_intent=chart_intent(idx, plan, share),
            state=state,
        )

    # -- refine and suggest ---------------------------------------------------------------------
    def refine(self, sql: str, feedback: str, ctx: EngineContext) -> Refinement:
        from .refine import refine

        idx = self.index(ctx)
        try:
            return refine(sql, feedback, idx, ctx, self.knowledge(ctx, idx))
        except Unmappable as e:  # feedback the grammar cannot place: the user's to rephrase, not a crash
            raise EngineError(str(e)) from None

    def suggest(self, ctx: EngineContext, limit: int = 5) -> list[str]:
        from .suggest import suggest

        return suggest(self, ctx, limit)
