"""Data summaries, v3 and v2, and their request bodies."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from c2q_tui.api.models import ApiModel, ClusterId, LooseStr, RequestModel

# -- v3 ----------------------------------------------------------------------------------------


class Relationship(ApiModel):
    referencing_table: str = ""
    referencing_table_column: str = ""
    referenced_table: str = ""
    referenced_table_column: str = ""


class ColumnSummary(ApiModel):
    name: str = ""
    description: str = ""


class TableSummary(ApiModel):
    name: str = ""
    description: str = ""
    columns: dict[str, ColumnSummary] = Field(default_factory=dict)

    @field_validator("columns", mode="before")
    @classmethod
    def _columns(cls, value: Any) -> Any:
        # accept a list of column objects and `{name: "description"}` as well as the documented map
        if value is None:
            return {}
        if isinstance(value, list):
            return {c["name"]: c for c in value if isinstance(c, dict) and "name" in c}
        if isinstance(value, dict):
            return {k: ({"name": k, "description": v} if isinstance(v, str) else v) for k, v in value.items()}
        return value


class SummaryDescription(ApiModel):
    """`{"system": <generated>, "user": <given at creation>}`; a bare string is taken as `user`."""

    system: str = ""
    user: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, value: Any) -> Any:
        if value is None:
            return {}
        return {"user": value} if isinstance(value, str) else value

    def __str__(self) -> str:
        return self.user or self.system


class DataSummary(ApiModel):
    """A v3 data summary: the GET answer and the result of a finished data-summary job.

    `relationships` INF: the docs show one object per table, TiInsight and examples-projects type it
    as an array per table. Both are accepted (and a flat list, grouped by referencing table); the
    model always holds the array form.
    """

    data_summary_id: int
    cluster_id: ClusterId | None = None
    database: str = ""
    default: bool = False
    status: str = ""
    description: SummaryDescription = Field(default_factory=SummaryDescription)
    keywords: list[str] = Field(default_factory=list)
    relationships: dict[str, list[Relationship]] = Field(default_factory=dict)
    summary: str = ""
    tables: dict[str, TableSummary] = Field(default_factory=dict)

    @field_validator("relationships", mode="before")
    @classmethod
    def _relationships(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, list):
            grouped: dict[str, list[Any]] = {}
            for rel in value:
                key = rel.get("referencing_table", "") if isinstance(rel, dict) else ""
                grouped.setdefault(key, []).append(rel)
            return grouped
        if isinstance(value, dict):
            return {k: (v if isinstance(v, list) else [v]) for k, v in value.items()}
        return value

    @field_validator("keywords", mode="before")
    @classmethod
    def _keywords(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def ready(self) -> bool:
        return self.status == "done"


class DataSummaryCreate(RequestModel):
    """POST /v3/dataSummaries. `default`, `database_uri` and `creator` are undocumented but used."""

    cluster_id: str | None = None
    database: str | None = None
    description: str = ""
    reuse: bool = False
    default: bool | None = None
    database_uri: str | None = None
    creator: str | None = None


class TableUpdate(RequestModel):
    description: str | None = None
    columns: dict[str, str] | None = None


class DataSummaryUpdate(RequestModel):
    """PUT /v3/dataSummaries/{id}. INF: the body is undocumented; we send the editable parts of the
    summary (description, summary, keywords, and per-table descriptions), leaving out what is None."""

    description: str | None = None
    summary: str | None = None
    keywords: list[str] | None = None
    tables: dict[str, TableUpdate] | None = None


# -- v2 ----------------------------------------------------------------------------------------


class V2Column(ApiModel):
    name: str = ""
    description: str = ""
    type: str = ""
    nullable: bool | None = None
    default: Any = None


class V2TableSchema(ApiModel):
    table_name: str = ""
    description: str = ""
    columns: dict[str, V2Column] = Field(default_factory=dict)
    key_attributes: list[str] = Field(default_factory=list)
    primary_key: str | list[str] | None = None
    status: str = ""


class V2Entity(ApiModel):
    name: str = ""
    summary: str = ""
    attributes: list[str] = Field(default_factory=list)
    involved_tables: list[str] = Field(default_factory=list)


class DataSummaryV2Data(ApiModel):
    """DataSummaryObjectV2 (`data` of GET /v2/dataSummaries/{id}); ids arrive as JSON numbers."""

    cluster_id: ClusterId | None = None
    db_name: str = ""
    db_schema: dict[str, V2TableSchema] = Field(default_factory=dict)
    entity: dict[str, V2Entity] = Field(default_factory=dict)
    org_id: LooseStr | None = None
    project_id: LooseStr | None = None
    short_summary: str = ""
    status: str = ""
    summary: str = ""
    summary_keywords: list[str] = Field(default_factory=list)
    table_relationship: dict[str, Any] | list[Any] = Field(default_factory=dict)


class DataSummaryV2(ApiModel):
    id: int
    name: str = ""
    type: str = ""
    creator: str = ""
    org_id: LooseStr | None = None
    created_at: int | float | None = None
    updated_at: int | float | None = None
    data: DataSummaryV2Data | None = None

    @property
    def ready(self) -> bool:
        return self.data is not None and self.data.status == "done"


class DataSummaryV2Create(RequestModel):
    cluster_id: str | None = None
    database: str | None = None
    database_uri: str | None = None


class DataSummaryV2Update(RequestModel):
    """PUT /v2/dataSummaries/{id}: `{"tables": {"<t>": {"description", "columns": {"<c>": "<desc>"}}}}`."""

    tables: dict[str, TableUpdate]
