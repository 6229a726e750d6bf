"""Sessions (multi-round chat2data).

Only creation and chat are documented. INF choices, after TiInsight's type names:
`GET /v3/sessions` answers `{"sessions": [...]}` (a bare list is accepted too), each item
`{session_id, meta: {created_at, name, updated_at}}`; GET one answers the creation shape with
`messages` filled; rename is `PUT {name}`; reset is `PUT` with an empty body. Flat items
(`{session_id, name, created_at, ...}` without `meta`) are accepted as well.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from c2q_tui.api.models import ApiModel, LooseStr, RequestModel

_META_KEYS = ("created_at", "creator", "name", "org_id", "updated_at")


class SessionMeta(ApiModel):
    """Timestamps are UNIX seconds; `org_id` is a string."""

    name: str = ""
    creator: str = ""
    org_id: LooseStr | None = None
    created_at: int | float | None = None
    updated_at: int | float | None = None


class SessionMessage(ApiModel):
    """A past turn. Its shape is undocumented, so every field is optional and all are kept."""

    role: str | None = None
    content: Any = None
    job_id: str | None = None


class Session(ApiModel):
    session_id: int
    meta: SessionMeta = Field(default_factory=SessionMeta)
    messages: list[SessionMessage] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _flat_meta(cls, value: Any) -> Any:
        if isinstance(value, dict) and "meta" not in value:
            meta = {k: value[k] for k in _META_KEYS if k in value}
            rest = {k: v for k, v in value.items() if k not in _META_KEYS}
            if "session_id" not in rest and "id" in rest:
                rest["session_id"] = rest.pop("id")
            value = {**rest, "meta": meta}
        return value

    @field_validator("messages", mode="before")
    @classmethod
    def _messages(cls, value: Any) -> Any:
        if value is None:
            return []
        return (
            [m if isinstance(m, dict) else {"content": m} for m in value]
            if isinstance(value, list)
            else value
        )

    @property
    def name(self) -> str:
        return self.meta.name


class SessionCreate(RequestModel):
    cluster_id: str | None = None
    database: str | None = None
    name: str = ""
    database_uri: str | None = None


class SessionRename(RequestModel):
    name: str
