"""Structural description of a database, as introspected through SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str  # the database's own type name, e.g. "INTEGER", "VARCHAR(64)"
    nullable: bool = True
    primary_key: bool = False
    default: str | None = None

    @property
    def is_numeric(self) -> bool:
        t = self.type.upper()
        return any(k in t for k in ("INT", "REAL", "FLOAT", "DOUBLE", "DECIMAL", "NUMERIC", "NUMBER"))

    @property
    def is_temporal(self) -> bool:
        t = self.type.upper()
        return any(k in t for k in ("DATE", "TIME")) or self.name.lower().endswith(("_date", "_at", "_on"))


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[ColumnInfo, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()

    def column(self, name: str) -> ColumnInfo | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)


@dataclass(frozen=True)
class SchemaInfo:
    database: str
    dialect: str  # sqlglot dialect name: sqlite, mysql, postgres, duckdb
    tables: tuple[TableInfo, ...] = field(default_factory=tuple)

    def table(self, name: str) -> TableInfo | None:
        lowered = name.lower()
        return next((t for t in self.tables if t.name.lower() == lowered), None)

    @property
    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]
