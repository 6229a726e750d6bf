"""The query plan: what the grammar builds, follow-ups modify and `sqlgen` renders.

It is plain data so that it round-trips through `Answer.state` (JSON) between turns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Col:
    table: str
    column: str
    time: str | None = None  # year | month | day | week: bucket a date column

    def key(self) -> tuple[str, str, str | None]:
        return (self.table, self.column, self.time)


@dataclass
class Agg:
    func: str  # count | sum | avg | max | min
    col: Col | None = None  # None: COUNT(*) of `of_table`
    distinct: bool = False
    of_table: str | None = None


@dataclass
class Filter:
    col: Col
    op: str  # = != in notin > >= < <= between like isnotnull
    values: list[Any] = field(default_factory=list)
    agg: Agg | None = None  # set for HAVING conditions


@dataclass
class Order:
    col: Col | None = None
    agg: int | None = None  # index into Plan.aggs
    desc: bool = False


@dataclass
class Plan:
    table: str
    select: list[Col] = field(default_factory=list)
    group: list[Col] = field(default_factory=list)
    aggs: list[Agg] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    having: list[Filter] = field(default_factory=list)
    order: list[Order] = field(default_factory=list)
    limit: int | None = None
    distinct: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Plan:
        def col(x: dict[str, Any] | None) -> Col | None:
            return Col(**x) if x else None

        def agg(x: dict[str, Any] | None) -> Agg | None:
            return (
                Agg(x["func"], col(x.get("col")), x.get("distinct", False), x.get("of_table")) if x else None
            )

        def flt(x: dict[str, Any]) -> Filter:
            c = col(x["col"])
            assert c is not None
            return Filter(c, x["op"], list(x.get("values") or []), agg(x.get("agg")))

        return Plan(
            table=d["table"],
            select=[c for c in (col(x) for x in d.get("select", [])) if c],
            group=[c for c in (col(x) for x in d.get("group", [])) if c],
            aggs=[a for a in (agg(x) for x in d.get("aggs", [])) if a],
            filters=[flt(x) for x in d.get("filters", [])],
            having=[flt(x) for x in d.get("having", [])],
            order=[Order(col(o.get("col")), o.get("agg"), bool(o.get("desc"))) for o in d.get("order", [])],
            limit=d.get("limit"),
            distinct=bool(d.get("distinct")),
        )

    def tables(self) -> list[str]:
        seen = [self.table]
        cols: list[Col] = [
            *self.select,
            *self.group,
            *(f.col for f in self.filters),
            *(f.col for f in self.having),
        ]
        cols += [a.col for a in self.aggs if a.col] + [o.col for o in self.order if o.col]
        for c in cols:
            if c.table not in seen:
                seen.append(c.table)
        for a in self.aggs:
            if a.of_table and a.of_table not in seen:
                seen.append(a.of_table)
        return seen
