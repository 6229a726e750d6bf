"""Data summaries (reference §3.2, v3 DataSummaryObject) built from introspection and profiling.

Descriptions, the summary sentence and keywords are generated deterministically from names, types and
statistics: the same database always gives the same dict. Relationships use the array form per table
(each relationship is listed under both tables it links); where a table declares no foreign keys,
`<x>_id` / same-name key columns that match another table's primary key are inferred and marked
`"inferred": true`. Statistics sit next to the descriptions under extra keys (`row_count`,
`distinct_count`, `frequent_values`, ...), which clients ignore if they don't know them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from c2q_tui.local.database import Database
from c2q_tui.local.profiling import ColumnProfile, TableProfile, profile_table
from c2q_tui.local.schema import SchemaInfo, TableInfo

Progress = Callable[[str, float], None]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_ACRONYMS = {"id": "ID", "url": "URL", "ip": "IP", "uuid": "UUID", "iso": "ISO", "api": "API", "sku": "SKU"}
MAX_KEYWORDS = 20
MEASURE_MIN_DISTINCT = 10  # fewer distinct numbers look like codes or flags, not measures


def build_summary(
    db: Database, *, description: str = "", on_progress: Progress | None = None
) -> dict[str, Any]:
    """Profile every table and describe the database. Blocking; run it in a worker thread.

    `on_progress(message, fraction)` is called before each table; an exception it raises aborts the
    build, which is how a caller cancels it.
    """
    report = on_progress or (lambda _message, _fraction: None)
    report("Reading the schema", 0.0)
    schema = db.schema(refresh=True)
    profiles: list[TableProfile] = []
    total = len(schema.tables)
    for i, table in enumerate(schema.tables):
        report(f"Profiling table {table.name} ({i + 1}/{total})", i / max(total, 1))
        profiles.append(profile_table(db, table))
    report("Writing descriptions", 1.0 if not total else (total - 0.5) / total)
    relationships = _relationships(schema)
    tables = {p.info.name: _table_object(p, relationships[p.info.name]) for p in profiles}
    summary = _summary_text(db.name, profiles)
    result: dict[str, Any] = {
        "database": db.name,
        "description": {"system": _system_description(summary, profiles, relationships), "user": description},
        "summary": summary,
        "keywords": _keywords(profiles),
        "relationships": relationships,
        "tables": tables,
        "statistics": {
            "tables_count": total,
            "columns_count": sum(len(t.columns) for t in schema.tables),
            "rows_count": sum(p.row_count or 0 for p in profiles),
        },
    }
    report("Done", 1.0)
    return result


# -- naming ------------------------------------------------------------------------------------


def _words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def human(name: str) -> str:
    """`market_cap` -> "Market cap", `user_id` -> "User ID"."""
    words = [_ACRONYMS.get(w.lower(), w.lower()) for w in _words(name)] or [name]
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])


def singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return word[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if w.endswith(("ss", "us", "is")) or len(w) <= 3:
        return word
    return word[:-1] if w.endswith("s") else word


def entity(table: str) -> str:
    """`user_stock_selections` -> "User_Stock_Selection" (the keyword form Chat2Query uses)."""
    words = _words(table) or [table]
    words[-1] = singular(words[-1])
    return "_".join(w[:1].upper() + w[1:].lower() for w in words)


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if abs(value) >= 1e6:
        mantissa, exp = f"{value:.1e}".split("e")
        return f"{mantissa.removesuffix('.0')}e{int(exp)}"
    return str(value) if isinstance(value, int) else f"{value:.6g}"


def _quoted(values: list[Any]) -> str:
    return ", ".join(f"'{v}'" if isinstance(v, str) else _fmt(v) for v in values)


# -- relationships -----------------------------------------------------------------------------


def _relationships(schema: SchemaInfo) -> dict[str, list[dict[str, Any]]]:
    links: list[dict[str, Any]] = []
    for t in schema.tables:
        for fk in t.foreign_keys:
            for col, ref_col in zip(fk.columns, fk.ref_columns, strict=False):
                links.append(_link(t.name, col, fk.ref_table, ref_col))
        if not t.foreign_keys:
            links += _inferred(schema, t)
    out: dict[str, list[dict[str, Any]]] = {t.name: [] for t in schema.tables}
    for link in links:
        for name in dict.fromkeys((link["referencing_table"], link["referenced_table"])):
            out.setdefault(name, []).append(link)
    return out


def _link(table: str, col: str, ref_table: str, ref_col: str, *, inferred: bool = False) -> dict[str, Any]:
    link: dict[str, Any] = {
        "referencing_table": table,
        "referencing_table_column": col,
        "referenced_table": ref_table,
        "referenced_table_column": ref_col,
    }
    if inferred:
        link["inferred"] = True
    return link


def _inferred(schema: SchemaInfo, table: TableInfo) -> list[dict[str, Any]]:
    """Columns named like another table's single-column key: `team_id` -> teams.id / teams.team_id."""
    keyed = [t for t in schema.tables if t.name != table.name and len(t.primary_key) == 1]
    links = []
    for col in table.columns:
        name = col.name.lower()
        if tuple(c.lower() for c in table.primary_key) == (name,):
            continue  # a table's own sole key refers to nothing
        stem = name[:-3] if name.endswith("_id") else None
        candidates = []
        for t in keyed:
            pk = t.primary_key[0].lower()
            names = {t.name.lower(), singular(t.name).lower()}
            if pk == name or (stem is not None and pk == "id" and stem in names):
                candidates.append(t)
        if len(candidates) > 1:  # same key name in several tables: prefer the one named after it
            candidates = [t for t in candidates if stem in {t.name.lower(), singular(t.name).lower()}]
        if len(candidates) == 1:
            ref = candidates[0]
            links.append(_link(table.name, col.name, ref.name, ref.primary_key[0], inferred=True))
    return links


# -- descriptions ------------------------------------------------------------------------------


def _related(table: str, links: list[dict[str, Any]]) -> list[str]:
    names = (link[k] for link in links for k in ("referencing_table", "referenced_table"))
    return sorted({n for n in names if n != table})


def _table_description(p: TableProfile, links: list[dict[str, Any]]) -> str:
    name = human(p.info.name)
    if p.row_count is None:
        text = f"{name}."
    elif p.row_count == 0:
        text = f"{name}: empty."
    else:
        text = f"{name}: {p.row_count:,} row{'s' if p.row_count != 1 else ''}"
        if p.info.primary_key:
            text += ", one per " + " and ".join(p.info.primary_key)
        text += "."
    related = _related(p.info.name, links)
    if related:
        text += " Related to " + ", ".join(related) + "."
    return text


def _column_description(c: ColumnProfile, p: TableProfile, ref: str | None) -> str:
    head = human(c.info.name)
    typed = f"{head} ({c.info.type})" if c.info.type else head
    rows = p.row_count or 0
    if c.non_null == 0 and rows:
        return f"{typed}, always empty."
    if p.info.primary_key == (c.info.name,):
        text = f"{typed}, the primary key" + (f", e.g. {_quoted(c.samples[:2])}" if c.samples else "")
    elif ref:
        text = f"{typed}, refers to {ref}"
    elif c.frequent and c.distinct is not None:
        values = [v for v, _ in c.frequent]
        if c.distinct == 1:
            text = f"{head}, always {_quoted(values[:1])}"
        elif c.distinct == 2 and len(values) == 2:
            text = f"{head}, either {_quoted(values[:1])} or {_quoted(values[1:2])}"
        else:
            text = f"{head}, one of {c.distinct} values such as {_quoted(values[:2])}"
    elif c.min is not None and c.max is not None:
        span = f"always {_fmt(c.min)}" if c.min == c.max else f"from {_fmt(c.min)} to {_fmt(c.max)}"
        text = f"{typed}, {span}"
    elif c.samples:
        text = f"{typed}, e.g. {_quoted(c.samples[:2])}"
        if c.distinct is not None and c.distinct == c.non_null and c.distinct > 1 and not p.sampled:
            text += ", unique"
    else:
        text = typed
    if c.non_null is not None and rows and rows - c.non_null > 0:
        text += f"; {rows - c.non_null:,} of {rows:,} missing"
    return text + "."


def _table_object(p: TableProfile, links: list[dict[str, Any]]) -> dict[str, Any]:
    refs = {
        link["referencing_table_column"]: f"{link['referenced_table']}.{link['referenced_table_column']}"
        for link in links
        if link["referencing_table"] == p.info.name
    }
    columns: dict[str, Any] = {}
    for c in p.columns:
        col: dict[str, Any] = {
            "name": c.info.name,
            "description": _column_description(c, p, refs.get(c.info.name)),
            "data_type": c.info.type,
            "nullable": c.info.nullable,
            "primary_key": c.info.primary_key,
            "default": c.info.default,
        }
        if c.info.name in refs:
            col["references"] = refs[c.info.name]
        if c.non_null is not None and p.row_count is not None:
            col["null_count"] = p.row_count - c.non_null
        if c.distinct is not None:
            col["distinct_count"] = c.distinct
        if c.min is not None or c.max is not None:
            col["min"], col["max"] = c.min, c.max
        if c.frequent:
            col["frequent_values"] = [{"value": v, "count": n} for v, n in c.frequent]
        col["sample_values"] = c.samples
        columns[c.info.name] = col
    table: dict[str, Any] = {
        "name": p.info.name,
        "description": _table_description(p, links),
        "row_count": p.row_count,
        "primary_key": list(p.info.primary_key),
        "foreign_keys": [
            {
                "columns": list(fk.columns),
                "referenced_table": fk.ref_table,
                "referenced_columns": list(fk.ref_columns),
            }
            for fk in p.info.foreign_keys
        ],
        "columns": columns,
    }
    if p.sampled:
        table["profile_note"] = "distinct counts and frequent values from a sample of the first rows"
    if p.error:
        table["profile_error"] = p.error
    return table


def _date_span(profiles: list[TableProfile]) -> tuple[str, str] | None:
    lows, highs = [], []
    for p in profiles:
        for c in p.columns:
            lo, hi = c.min, c.max
            if c.kind == "temporal" and isinstance(lo, str) and isinstance(hi, str) and _ISO_DATE.match(lo):
                lows.append(lo[:10])
                highs.append(hi[:10])
    return (min(lows), max(highs)) if lows else None


def _summary_text(db_name: str, profiles: list[TableProfile]) -> str:
    if not profiles:
        return f"The {db_name} database has no tables yet."
    names = [human(p.info.name).lower() for p in profiles]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if len(names) > 8:
        listed = ", ".join(names[:8]) + f" and {len(names) - 8} more"
    rows = sum(p.row_count or 0 for p in profiles)
    count = f"{len(profiles)} table{'s' if len(profiles) != 1 else ''}, {rows:,} rows"
    text = f"The {db_name} database holds {listed} ({count})."
    span = _date_span(profiles)
    if span:
        text += f" Dates range from {span[0]} to {span[1]}."
    return text


def _system_description(
    summary: str, profiles: list[TableProfile], relationships: dict[str, list[dict[str, Any]]]
) -> str:
    parts = [summary]
    sized = sorted((p for p in profiles if p.row_count), key=lambda p: (-(p.row_count or 0), p.info.name))
    if sized:
        parts.append(
            "Largest tables: " + ", ".join(f"{p.info.name} ({p.row_count:,} rows)" for p in sized[:3]) + "."
        )
    seen: dict[str, None] = {}
    for links in relationships.values():
        for link in links:
            arrow = (
                f"{link['referencing_table']}.{link['referencing_table_column']} -> "
                f"{link['referenced_table']}.{link['referenced_table_column']}"
            )
            seen.setdefault(arrow, None)
    if seen:
        arrows = list(seen)
        more = f" and {len(arrows) - 10} more" if len(arrows) > 10 else ""
        parts.append("Links: " + "; ".join(arrows[:10]) + more + ".")
    return " ".join(parts)


def _keywords(profiles: list[TableProfile]) -> list[str]:
    """Entities (one per table), then categories (sector), then measures (market cap)."""
    words = [entity(p.info.name) for p in profiles]
    categories, measures = [], []
    for p in profiles:
        keys = set(p.info.primary_key) | {c for fk in p.info.foreign_keys for c in fk.columns}
        for c in p.columns:
            name = c.info.name
            if name in keys or name.lower() == "id" or name.lower().endswith("_id"):
                continue
            if c.categorical:
                categories.append(human(name))
            elif c.kind == "numeric" and (c.distinct or 0) > MEASURE_MIN_DISTINCT:
                measures.append(human(name))
    return list(dict.fromkeys(words + categories + measures))[:MAX_KEYWORDS]


def _table_object_for(summary: dict[str, Any], table: str) -> dict[str, Any]:
    tables: dict[str, Any] = summary.get("tables") or {}
    match = [table] if table in tables else [k for k in tables if k.lower() == table.lower()]
    if len(match) == 1:
        found: dict[str, Any] = tables[match[0]]
        return found
    raise KeyError(f"unknown table {table!r}; tables: {', '.join(sorted(tables)) or '(none)'}")


def apply_table_description(summary: dict[str, Any], table: str, description: str) -> None:
    _table_object_for(summary, table)["description"] = description


def apply_column_descriptions(summary: dict[str, Any], table: str, descriptions: dict[str, str]) -> None:
    """Set several column descriptions; nothing changes unless every column exists."""
    columns: dict[str, Any] = _table_object_for(summary, table).setdefault("columns", {})
    resolved: dict[str, str] = {}
    for col in descriptions:
        match = [k for k in columns if k == col] or [k for k in columns if k.lower() == col.lower()]
        if len(match) != 1:
            raise KeyError(f"unknown column {col!r} in table {table!r}; columns: {', '.join(columns)}")
        resolved[match[0]] = descriptions[col]
    for col, text in resolved.items():
        columns[col]["description"] = text


def to_v2(summary: dict[str, Any], *, cluster_id: str | int, database: str) -> dict[str, Any]:
    """The DataSummaryObjectV2 shape of reference §3.8 (GET /v2/dataSummaries/{id} `data`)."""
    db_schema: dict[str, Any] = {}
    entities: dict[str, Any] = {}
    for name, t in (summary.get("tables") or {}).items():
        columns = t.get("columns") or {}
        key_attrs = list(t.get("primary_key") or [])
        key_attrs += [c for c, col in columns.items() if col.get("references") and c not in key_attrs]
        key_attrs += [c for c, col in columns.items() if col.get("frequent_values") and c not in key_attrs]
        db_schema[name] = {
            "columns": {
                c: {
                    "default": col.get("default"),
                    "description": col.get("description", ""),
                    "name": col.get("name", c),
                    "nullable": col.get("nullable", True),
                    "type": col.get("data_type", ""),
                }
                for c, col in columns.items()
            },
            "description": t.get("description", ""),
            "key_attributes": key_attrs,
            "primary_key": ", ".join(t.get("primary_key") or []),
            "status": "done",
            "table_name": name,
        }
        entities[name] = {
            "attributes": key_attrs,
            "involved_tables": [name],
            "name": name,
            "summary": t.get("description", ""),
        }
    description = summary.get("description") or {}
    return {
        "cluster_id": cluster_id,
        "db_name": database,
        "db_schema": db_schema,
        "entity": entities,
        "short_summary": summary.get("summary", ""),
        "status": "done",
        "summary": description.get("system") or summary.get("summary", ""),
        "summary_keywords": list(summary.get("keywords") or []),
        "table_relationship": summary.get("relationships") or {},
    }
