"""Plan to SQL with sqlglot's builders, rendered in the database's dialect.

Joins follow foreign keys along shortest paths (BFS) from the plan's main table. When a join fans out
(main table on the "one" side), counts use COUNT(DISTINCT key) and lists use SELECT DISTINCT.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from .index import Edge, Index
from .plan import Agg, Col, Filter, Plan

AGG_PREFIX = {"sum": "total", "avg": "avg", "max": "max", "min": "min"}


class JoinError(Exception):
    pass


def join_tree(idx: Index, root: str, needed: list[str]) -> list[Edge]:
    """Edges joining every needed table to root, each along a shortest foreign-key path."""
    prev: dict[str, Edge | None] = {root: None}
    queue = deque([root])
    while queue:
        t = queue.popleft()
        for e in idx.edges.get(t, []):
            if e.dst not in prev:
                prev[e.dst] = e
                queue.append(e.dst)
    edges: list[Edge] = []
    for t in needed:
        if t == root:
            continue
        if t not in prev:
            raise JoinError(f"no foreign-key path between {root} and {t}")
        path: list[Edge] = []
        cur = t
        while (step := prev[cur]) is not None:
            path.append(step)
            cur = step.src
        for e in reversed(path):
            if e not in edges:
                edges.append(e)
    return edges


def fans_out(edges: list[Edge]) -> bool:
    return any(not e.forward for e in edges)


def agg_alias(a: Agg, idx: Index) -> str:
    if a.func == "count":
        if a.col is not None and a.distinct:
            return f"{a.col.column}_count" if not a.col.column.endswith("_count") else a.col.column
        return f"{idx.tables[a.of_table].noun}_count" if a.of_table else "row_count"
    assert a.col is not None
    return f"{AGG_PREFIX[a.func]}_{a.col.column}"


def col_alias(c: Col) -> str:
    return c.time if c.time else c.column


class SqlBuilder:
    def __init__(self, idx: Index, dialect: str, needs_quote: Callable[[str], bool]) -> None:
        self.idx = idx
        self.dialect = dialect
        self.needs_quote = needs_quote
        self.aliases: dict[str, str] = {}

    def ident(self, name: str) -> exp.Identifier:
        return exp.to_identifier(name, quoted=self.needs_quote(name))

    def column(self, c: Col) -> exp.Expr:
        table = self.aliases.get(c.table)
        derived = self.idx.col(c.table, c.column).derived
        if derived is not None:
            qty, price, disc = (self.column(Col(c.table, n)) if n else None for n in derived)
            assert qty is not None and price is not None
            amount: exp.Expr = exp.Mul(this=qty, expression=price)
            if disc is not None:
                one_minus = exp.Paren(this=exp.Sub(this=exp.Literal.number(1), expression=disc))
                amount = exp.Mul(this=amount, expression=one_minus)
            return amount
        col = exp.Column(this=self.ident(c.column), table=exp.to_identifier(table) if table else None)
        if c.time is None:
            return col
        return self._bucket(col, c.time)

    def _bucket(self, col: exp.Expr, unit: str) -> exp.Expr:
        meta = self.idx.col(*self._find(col))
        if meta.year_like:
            return col
        fmt = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d", "week": "%Y-%W"}[unit]
        if unit == "year":
            if self.dialect == "sqlite":
                return exp.cast(exp.TimeToStr(this=col, format=exp.Literal.string(fmt)), "INT")
            return exp.Year(this=col)
        return exp.TimeToStr(this=col, format=exp.Literal.string(fmt))

    def _find(self, col: exp.Expr) -> tuple[str, str]:
        assert isinstance(col, exp.Column)
        alias_to_table = {v: k for k, v in self.aliases.items()}
        table = alias_to_table.get(col.table, col.table) if col.table else next(iter(self._tables))
        return table, col.name

    def agg(self, a: Agg, fan: bool) -> exp.Expr:
        if a.func == "count":
            if a.col is not None:
                inner: exp.Expr = self.column(a.col)
                return exp.Count(this=exp.Distinct(expressions=[inner]) if a.distinct else inner)
            table = a.of_table or self._tables[0]
            pk = self.idx.tables[table].info.primary_key
            if fan and len(pk) == 1:
                return exp.Count(this=exp.Distinct(expressions=[self.column(Col(table, pk[0]))]))
            return exp.Count(this=exp.Star())
        assert a.col is not None
        func = {"sum": exp.Sum, "avg": exp.Avg, "max": exp.Max, "min": exp.Min}[a.func]
        return func(this=self.column(a.col))

    def literal(self, v: Any) -> exp.Expr:
        if isinstance(v, bool):
            return exp.Literal.number(int(v))
        if isinstance(v, int | float):
            return exp.Literal.number(int(v) if float(v).is_integer() else v)
        return exp.Literal.string(str(v))

    def condition(self, f: Filter, target: exp.Expr) -> exp.Expr:
        vals = [self.literal(v) for v in f.values]
        if f.op == "=":
            return exp.EQ(this=target, expression=vals[0])
        if f.op == "!=":
            return exp.NEQ(this=target, expression=vals[0])
        if f.op in ("in", "notin"):
            cond: exp.Expr = exp.In(this=target, expressions=vals)
            return exp.Not(this=cond) if f.op == "notin" else cond
        if f.op == "between":
            return exp.Between(this=target, low=vals[0], high=vals[1])
        if f.op == "like":
            return exp.Like(this=target, expression=vals[0])
        if f.op == "isnotnull":
            return exp.Not(this=exp.Is(this=target, expression=exp.Null()))
        ops: dict[str, type[exp.Expr]] = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE}
        return ops[f.op](this=target, expression=vals[0])

    def build(self, plan: Plan) -> tuple[str, list[str]]:
        tables = plan.tables()
        edges = join_tree(self.idx, plan.table, tables)
        self._tables = [plan.table] + [e.dst for e in edges]
        self.aliases = _aliases(self._tables) if len(self._tables) > 1 else {}
        fan = fans_out(edges)
        select: list[exp.Expr] = []
        names: list[str] = []
        taken: set[str] = set()
        for c in plan.select:
            name = col_alias(c)
            if name in taken:
                name = f"{c.table}_{name}"
            taken.add(name)
            expr = self.column(c)
            select.append(exp.alias_(expr, name, quoted=self.needs_quote(name)) if name != c.column else expr)
            names.append(name)
        agg_exprs: list[exp.Expr] = []
        for a in plan.aggs:
            name = agg_alias(a, self.idx)
            if name in taken:
                name = f"{name}_{len(taken)}"
            taken.add(name)
            agg = self.agg(a, fan)
            agg_exprs.append(agg)
            select.append(exp.alias_(agg, name, quoted=self.needs_quote(name)))
            names.append(name)
        q = sqlglot.select(*select).from_(self._table(plan.table))
        if plan.distinct or (fan and not plan.aggs and not plan.group):
            q = q.distinct()
        for e in edges:
            on = exp.and_(
                *[
                    exp.EQ(
                        this=exp.column(self.ident(a), table=self.aliases[e.src]),
                        expression=exp.column(self.ident(b), table=self.aliases[e.dst]),
                    )
                    for a, b in e.pairs
                ]
            )
            q = q.join(self._table(e.dst), on=on)
        conds = [self.condition(f, self.column(f.col)) for f in plan.filters]
        if conds:
            q = q.where(exp.and_(*conds), copy=False)
        if plan.group:
            q = q.group_by(*[self.column(c) for c in plan.group], copy=False)
        for f in plan.having:
            assert f.agg is not None
            q = q.having(self.condition(f, self.agg(f.agg, fan)), copy=False)
        for o in plan.order:
            if o.agg is not None:
                target: exp.Expr = exp.column(self.ident(names[len(plan.select) + o.agg]))
            else:
                assert o.col is not None
                shown = [i for i, c in enumerate(plan.select) if c.key() == o.col.key()]
                target = (
                    exp.column(self.ident(names[shown[0]])) if shown and o.col.time else self.column(o.col)
                )
            # say nothing about NULLs where the dialect's default already puts them last-ish
            q = q.order_by(
                exp.Ordered(this=target, desc=o.desc, nulls_first=self._nulls_first(o.desc)), copy=False
            )
        if plan.limit is not None:
            q = q.limit(plan.limit, copy=False)
        return q.sql(dialect=self.dialect), names

    def _nulls_first(self, desc: bool) -> bool:
        ordering = Dialect.get_or_raise(self.dialect).NULL_ORDERING
        return {"nulls_are_small": not desc, "nulls_are_large": desc}.get(ordering, False)

    def _table(self, name: str) -> exp.Expr:
        t = exp.Table(this=self.ident(name))
        alias = self.aliases.get(name)
        return exp.alias_(t, alias, table=True) if alias else t


def _aliases(tables: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in tables:
        parts = [p for p in t.lower().replace("-", "_").split("_") if p]
        base = "".join(p[0] for p in parts) if len(parts) > 1 else (parts[0][:1] if parts else "t")
        alias, n = base, 2
        while alias in out.values() or alias in _RESERVED:
            alias, n = f"{base}{n}", n + 1
        out[t] = alias
    return out


_RESERVED = {
    "as",
    "at",
    "by",
    "do",
    "if",
    "in",
    "is",
    "of",
    "on",
    "or",
    "to",
    "and",
    "for",
    "not",
    "all",
    "asc",
    "end",
    "set",
    "use",
    "key",
    "row",
}
