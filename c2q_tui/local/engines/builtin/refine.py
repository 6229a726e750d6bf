"""refineSql: rewrite any SELECT from feedback ("limit 10", "sort by revenue descending", "only sector
Energy", "add the city column", "group by state") by editing its sqlglot AST, and say what changed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError

from c2q_tui.local.engines.base import EngineContext, EngineError, Refinement

from .assemble import Assembler
from .grammar import Grammar
from .index import Index
from .linking import Mention, link
from .parsed import Unmappable
from .plan import Col, Filter
from .sqlgen import SqlBuilder, join_tree

if TYPE_CHECKING:
    from .knowledge import Knowledge

_LIMIT = re.compile(
    r"\b(?:limit(?:\s+(?:it|them|the results?|rows?))?(?:\s+to)?|top|first|only|just|show)\s+(\d+)\b", re.I
)
_NO_LIMIT = re.compile(r"\b(?:remove|drop|no|without)\s+(?:the\s+)?limit\b|\ball rows\b", re.I)
_SORT = re.compile(
    r"\b(?:sort|order|rank)(?:ed)?\s+(?:it\s+|them\s+|the results?\s+)?(?:by|on)\s+(.+)$", re.I
)
_DIR_ONLY = re.compile(
    r"^\s*(?:sort\s+|order\s+)?(?:it\s+|them\s+)?(asc|ascending|desc|descending|reverse)\w*\s*"
    r"(?:order)?\s*$",
    re.I,
)
_GROUP = re.compile(r"\bgroup(?:ed)?\s+(?:it\s+|them\s+)?by\s+(.+)$|\b(?:per|for each|by)\s+(.+)$", re.I)
_ADD = re.compile(
    r"\b(?:add|include|also show|show also|with)\b\s+(?:the\s+|their\s+|a\s+)?(.+?)(?:\s+columns?)?\s*$", re.I
)
_REMOVE = re.compile(r"\b(?:remove|drop|hide|without)\s+(?:the\s+)?(.+?)(?:\s+columns?)?\s*$", re.I)
_DISTINCT = re.compile(r"\b(?:distinct|unique|remove duplicates|no duplicates|deduplicate)\b", re.I)
_DESC = re.compile(
    r"\b(desc|descending|highest first|largest first|biggest first|high to low|decreasing)\b", re.I
)
_ASC = re.compile(
    r"\b(asc|ascending|lowest first|smallest first|low to high|increasing|alphabetical\w*)\b", re.I
)


class _Ctx:
    def __init__(self, tree: exp.Select, idx: Index, dialect: str, needs_quote: object) -> None:
        self.tree = tree
        self.idx = idx
        self.dialect = dialect
        self.tables: dict[str, str] = {}  # real table name -> alias or name as used in the query
        for t in tree.find_all(exp.Table):
            real = next((k for k in idx.tables if k.lower() == t.name.lower()), None)
            if real and real not in self.tables:
                self.tables[real] = t.alias_or_name

    def column(self, c: Col) -> exp.Expr:
        qualify = len(self.tables) > 1
        table = self.tables.get(c.table) if qualify else None
        return exp.column(c.column, table=table)

    def projections_using(self, c: Col) -> list[exp.Expr]:
        out = []
        for p in self.tree.expressions:
            for col in p.find_all(exp.Column):
                if col.name.lower() == c.column.lower():
                    out.append(p)
                    break
        return out


def _mentions(text: str, idx: Index, kn: Knowledge | None) -> list[Mention]:
    return link(text, idx, kn.overlay if kn else None)


def _resolve_col(text: str, rc: _Ctx, kn: Knowledge | None) -> Col | None:
    for m in _mentions(text, rc.idx, kn):
        if m.kind in ("schema", "kw") and m.columns:
            inside = [r for r in m.columns if r.table in rc.tables]
            cands = inside or m.columns
            best = max(cands, key=lambda r: r.score)
            return Col(best.table, best.column or "")
    return None


def _alias_match(text: str, tree: exp.Select) -> exp.Expr | None:
    words = set(re.findall(r"\w+", text.lower()))
    for p in tree.expressions:
        name = p.alias_or_name.lower()
        if name and (name in words or name.replace("_", " ") in text.lower()):
            found: exp.Expr = p
            return found
    return None


def _ensure_join(rc: _Ctx, table: str) -> list[str]:
    if table in rc.tables:
        return []
    base = next(iter(rc.tables))
    edges = join_tree(rc.idx, base, [table])
    done: list[str] = []
    for e in edges:
        if e.dst in rc.tables:
            continue
        alias = e.dst
        on = exp.and_(
            *[
                exp.EQ(
                    this=exp.column(a, table=rc.tables.get(e.src, e.src)),
                    expression=exp.column(b, table=alias),
                )
                for a, b in e.pairs
            ]
        )
        rc.tree = rc.tree.join(exp.to_table(e.dst), on=on, copy=False)
        rc.tables[e.dst] = alias
        done.append(e.dst)
    return done


def refine(
    sql: str, feedback: str, idx: Index, ctx: EngineContext, kn: Knowledge | None = None
) -> Refinement:
    dialect = ctx.db.dialect
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except ParseError as e:
        raise EngineError(f"could not parse the SQL to refine: {str(e).splitlines()[0]}") from None
    if not isinstance(tree, exp.Select):
        raise EngineError("only SELECT statements can be refined")
    rc = _Ctx(tree, idx, dialect, None)
    fb = feedback.strip().rstrip(".!")
    changes: list[str] = []
    if _NO_LIMIT.search(fb):
        rc.tree.set("limit", None)
        changes.append("removed the LIMIT clause")
    elif m := _LIMIT.search(fb):
        n = int(m.group(1))
        old = rc.tree.args.get("limit")
        rc.tree = rc.tree.limit(n, copy=False)
        changes.append(f"changed the LIMIT to {n}" if old else f"added LIMIT {n}")
    if _DISTINCT.search(fb):
        rc.tree = rc.tree.distinct(copy=False)
        changes.append("made the rows distinct (SELECT DISTINCT)")
    if m := _DIR_ONLY.match(fb):
        desc = not m.group(1).lower().startswith("asc")
        order = rc.tree.args.get("order")
        if order is None:
            raise EngineError("the query has no ORDER BY to reverse; say what to sort by")
        for o in order.expressions:
            o.set("desc", desc if m.group(1).lower() != "reverse" else not o.args.get("desc"))
            o.set("nulls_first", _nulls_first(dialect, bool(o.args.get("desc"))))
        changes.append("changed the sort direction to " + ("descending" if desc else "ascending"))
    elif m := _SORT.search(fb):
        _sort(rc, m.group(1), kn, changes)
    if not changes and (m := _GROUP.search(fb)) and (m.group(1) or m.group(2)):
        _group(rc, m.group(1) or m.group(2), kn, changes)
    if not changes and (m := _REMOVE.search(fb)):
        target = _alias_match(m.group(1), rc.tree)
        if target is not None:
            rc.tree.set("expressions", [p for p in rc.tree.expressions if p is not target])
            changes.append(f"removed the column {target.alias_or_name}")
    if not changes and (m := _ADD.search(fb)):
        col = _resolve_col(m.group(1), rc, kn)
        if col is not None:
            joined = _ensure_join(rc, col.table)
            rc.tree = rc.tree.select(rc.column(col), copy=False)
            if rc.tree.args.get("group"):
                rc.tree = rc.tree.group_by(rc.column(col), copy=False)
            changes.append(
                f"added the column {col.column}" + (f" (joining {', '.join(joined)})" if joined else "")
            )
    if not changes or (
        re.search(r"\b(only|where|exclude|excluding|without|just|filter)\b", fb, re.I)
        and not re.search(r"\b(limit|top|first)\s+\d+", fb, re.I)
    ):
        _filters(rc, fb, idx, ctx, kn, changes)
    if not changes:
        raise EngineError(
            f"could not understand the feedback {feedback!r}: try 'limit 10', 'sort by <column> "
            "descending', 'only <column> <value>', 'add the <column> column' or 'group by <column>'"
        )
    rewritten = rc.tree.sql(dialect=dialect)
    solution = "To address the feedback, " + "; ".join(changes) + "."
    return Refinement(rewritten_sql=rewritten, solution=solution)


def _nulls_first(dialect: str, desc: bool) -> bool:
    ordering = Dialect.get_or_raise(dialect).NULL_ORDERING
    return {"nulls_are_small": not desc, "nulls_are_large": desc}.get(ordering, False)


def _sort(rc: _Ctx, text: str, kn: Knowledge | None, changes: list[str]) -> None:
    desc_m, asc_m = _DESC.search(text), _ASC.search(text)
    target_text = _DESC.sub("", _ASC.sub("", text)).strip()
    proj = _alias_match(target_text, rc.tree)
    col = None if proj is not None else _resolve_col(target_text, rc, kn)
    if proj is None and col is None:
        raise EngineError(f"could not find a column for {target_text!r} in the query or its tables")
    if proj is None and col is not None:
        users = rc.projections_using(col)
        aggregated = [p for p in users if p.find(exp.AggFunc) is not None]
        proj = aggregated[0] if aggregated and rc.tree.args.get("group") else None
    if proj is not None:
        name = proj.alias_or_name
        target: exp.Expr = exp.column(name) if proj.alias else proj.copy()
        what = name
    else:
        assert col is not None
        if col.table not in rc.tables:
            _ensure_join(rc, col.table)
        target, what = rc.column(col), col.column
    desc = bool(desc_m) if desc_m or asc_m else col is None or rc.idx.col(col.table, col.column).measure
    rc.tree.set("order", None)
    rc.tree = rc.tree.order_by(
        exp.Ordered(this=target, desc=desc, nulls_first=_nulls_first(rc.dialect, desc)), copy=False
    )
    changes.append(f"sorted the rows by {what} {'descending' if desc else 'ascending'}")


def _group(rc: _Ctx, text: str, kn: Knowledge | None, changes: list[str]) -> None:
    col = _resolve_col(text, rc, kn)
    if col is None:
        raise EngineError(f"could not find a column for {text!r} to group by")
    _ensure_join(rc, col.table)
    key = rc.column(col)
    aggs = [p for p in rc.tree.expressions if p.find(exp.AggFunc) is not None]
    if not aggs:
        aggs = [exp.alias_(exp.Count(this=exp.Star()), "row_count")]
        changes.append(f"counted the rows per {col.column}")
    else:
        changes.append(f"computed the aggregates per {col.column}")
    rc.tree.set("expressions", [key, *aggs])
    rc.tree.set("group", None)
    rc.tree.set("distinct", None)
    rc.tree = rc.tree.group_by(key.copy(), copy=False)
    order = rc.tree.args.get("order")
    if order is not None and any(
        isinstance(o.this, exp.Column) and o.this.name not in {p.alias_or_name for p in rc.tree.expressions}
        for o in order.expressions
    ):
        rc.tree.set("order", None)


def _filters(
    rc: _Ctx, fb: str, idx: Index, ctx: EngineContext, kn: Knowledge | None, changes: list[str]
) -> None:
    text = re.sub(r"^\s*(?:only|just|where|filter(?: to)?|keep)\s+", "", fb, flags=re.I)
    mentions = _mentions(text, idx, kn)
    parsed = Grammar(idx, mentions).parse()
    if not parsed.values and not parsed.cmps:
        return
    asm = Assembler(idx, parsed, text)
    asm.main = next(iter(rc.tables))
    asm.focus = list(rc.tables)
    try:
        filters: list[Filter] = []
        for v in parsed.values:
            filters.append(asm._value_filter(v))
        for c in parsed.cmps:
            filters.extend(asm._cmp_filter(c))
    except Unmappable as e:
        raise EngineError(str(e)) from None
    builder = SqlBuilder(idx, rc.dialect, lambda n: ctx.db.quote(n) != n)
    for f in filters:
        joined = _ensure_join(rc, f.col.table)
        cond = builder.condition(f, rc.column(f.col))
        rc.tree = rc.tree.where(cond, copy=False)
        note = f" (joining {', '.join(joined)})" if joined else ""
        changes.append(f"added the condition {cond.sql(dialect=rc.dialect)}{note}")
