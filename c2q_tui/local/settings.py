"""Configuration of the embedded backend: who may call it, what it serves, how it behaves.

Fields left empty are filled once by `prepare` and persisted in the backend's store (the SQLite file in
`state_dir`, mode 0600): the cluster id and, when no key is configured, one generated Admin key pair.
Later starts on the same state dir reuse them, so a printed key keeps working.

Simulated latency (for benchmarks): `job_latency` adds a duration to every job before it finishes,
`"fixed:SECONDS"` or `"lognormal:MEDIAN,SIGMA[,SEED]"` (median seconds, log-space sigma, optional
seed for a reproducible sequence). `time_scale` multiplies those simulated durations only, never real
work: 0.01 runs a "6 s" job in 60 ms.
"""

from __future__ import annotations

import secrets
import string
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, field_validator, model_validator

from c2q_tui import paths
from c2q_tui.local.database import database_name
from c2q_tui.local.engines import ENGINE_NAMES

if TYPE_CHECKING:
    from c2q_tui.local.store import Store

Role = Literal["admin", "summary", "readonly", "readwrite"]
ROLE_TITLES: dict[str, str] = {
    "admin": "Chat2Query Admin",
    "summary": "Chat2Query Data Summary Management Role",
    "readonly": "Chat2Query SQL ReadOnly",
    "readwrite": "Chat2Query SQL ReadWrite",
}
TIDBCLOUD_DAILY_QUOTA = 100
TIDBCLOUD_PER_MINUTE = 100
DEFAULT_PER_MINUTE = 600
DEFAULT_APP_ID = "chat2query-local"
_GENERATED_KEYS = "generated_keys"
_CLUSTER_ID = "cluster_id"


def sample_url() -> str:
    return f"sqlite:///{paths.sample_db()}"


class KeySpec(BaseModel):
    """One API key pair. The private key is a SecretStr: never printed by repr or logs."""

    model_config = ConfigDict(frozen=True)

    public_key: str = Field(min_length=1)
    private_key: SecretStr
    role: Role = "admin"
    expires_at: float | None = None  # unix seconds; None = never expires (the service's default)

    @field_validator("public_key")
    @classmethod
    def _no_colon(cls, value: str) -> str:
        if ":" in value:
            raise ValueError("a public key cannot contain ':' (it is the Basic/Digest user name)")
        return value

    @property
    def role_title(self) -> str:
        return ROLE_TITLES[self.role]

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


def generate_key(role: Role = "admin") -> KeySpec:
    """A key pair shaped like TiDB Cloud's: 8 upper-case characters, and a UUID-like private key."""
    alphabet = string.ascii_uppercase + string.digits
    public = "".join(secrets.choice(alphabet) for _ in range(8))
    h = secrets.token_hex(16)
    private = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return KeySpec(public_key=public, private_key=SecretStr(private), role=role)


def generate_cluster_id() -> str:
    """A 19-digit numeric string, like TiDB Cloud Serverless cluster ids."""
    return str(10**18 + secrets.randbelow(9 * 10**18))


class LocalSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app_id: str = DEFAULT_APP_ID
    cluster_id: str = ""  # "" = generate once and keep in the store
    database_urls: list[str] = Field(default_factory=lambda: [sample_url()])
    keys: list[KeySpec] = Field(default_factory=list)  # empty = one generated Admin key, kept
    engine: str = "builtin"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key_env: str = "C2Q_LLM_API_KEY"
    chat2db_api_base: str = "https://api.chat2db-ai.com"  # prompt_a, chat_a
    chat2db_app_base: str = "https://app.chat2db-ai.com"  # mapping_a (table matching)
    chat2db_api_key_env: str = "C2Q_CHAT2DB_API_KEY"
    chat2db_dataset_id: str | None = None  # set: Chat2DB's table matching picks the tables
    tidbcloud_like: bool = False  # preset: 100 requests a day per app, 100 a minute per key
    daily_quota: int | None = Field(default=None, ge=1)  # None = unlimited
    per_minute: int | None = Field(default=DEFAULT_PER_MINUTE, ge=1)  # None = no per-minute limit
    state_dir: Path = Field(default_factory=paths.backend_dir)
    statement_timeout: float = Field(default=30.0, gt=0)
    nonce_ttl: float = Field(default=300.0, gt=0)
    job_latency: str | None = None
    time_scale: float = Field(default=1.0, ge=0)
    _keys_generated: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _presets_and_checks(self) -> LocalSettings:
        if self.tidbcloud_like:
            if "daily_quota" not in self.model_fields_set:
                self.daily_quota = TIDBCLOUD_DAILY_QUOTA
            if "per_minute" not in self.model_fields_set:
                self.per_minute = TIDBCLOUD_PER_MINUTE
        if not self.app_id or "/" in self.app_id:
            raise ValueError(f"app_id must be a non-empty path segment, not {self.app_id!r}")
        if self.cluster_id and not self.cluster_id.isdigit():
            raise ValueError(f"cluster_id must be digits, not {self.cluster_id!r}")
        if not self.database_urls:
            raise ValueError("database_urls needs at least one database URL")
        if self.engine not in ENGINE_NAMES:
            raise ValueError(f"unknown engine {self.engine!r}; choose one of: {', '.join(ENGINE_NAMES)}")
        names = []
        for url in self.database_urls:
            try:
                names.append(database_name(url))
            except Exception:  # SQLAlchemy's ArgumentError is no ValueError; say which URL, not why
                shown = url.split("://", 1)[0] + "://..." if "://" in url else repr(url)
                raise ValueError(f"not a database URL: {shown}") from None
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"two database URLs are served under the same name: {', '.join(dupes)}")
        publics = [k.public_key for k in self.keys]
        if len(set(publics)) != len(publics):
            raise ValueError("two keys share a public key")
        if self.job_latency:
            from c2q_tui.local.jobs import parse_latency

            parse_latency(self.job_latency)  # raises ValueError with what is wrong
        return self

    @classmethod
    def for_profile(
        cls,
        *,
        database_url: str | None = None,
        engine: str = "builtin",
        llm_base_url: str | None = None,
        llm_model: str | None = None,
        llm_api_key_env: str = "C2Q_LLM_API_KEY",
        **extra: Any,
    ) -> LocalSettings:
        """Settings for a local profile of the app (the embedded backend on one database)."""
        values: dict[str, Any] = {
            "engine": engine,
            "llm_base_url": llm_base_url,
            "llm_model": llm_model,
            "llm_api_key_env": llm_api_key_env,
            **extra,
        }
        if database_url:
            values["database_urls"] = [database_url]
        return cls(**values)

    def database_names(self) -> list[str]:
        """The names databases are served under (a SQLite file's stem; the sample is sp500insight)."""
        return [database_name(u) for u in self.database_urls]

    def database_map(self) -> dict[str, str]:
        return {database_name(u): u for u in self.database_urls}

    @property
    def store_path(self) -> Path:
        return self.state_dir / "backend.sqlite3"

    @property
    def generated_key(self) -> bool:
        """True when `prepare` supplied the generated Admin key (serve prints it then)."""
        return self._keys_generated

    def key(self, public_key: str) -> KeySpec | None:
        return next((k for k in self.keys if k.public_key == public_key), None)


def prepare(settings: LocalSettings, store: Store) -> LocalSettings:
    """Fill the cluster id and the default key from the store, generating them the first time."""
    update: dict[str, Any] = {}
    if not settings.cluster_id:
        update["cluster_id"] = store.meta_setdefault(_CLUSTER_ID, generate_cluster_id())
    if not settings.keys:
        fresh = generate_key("admin")
        stored = store.meta_setdefault_json(
            _GENERATED_KEYS,
            [
                {
                    "public_key": fresh.public_key,
                    "private_key": fresh.private_key.get_secret_value(),
                    "role": "admin",
                }
            ],
        )
        update["keys"] = [KeySpec.model_validate(k) for k in stored]
    if not update:
        return settings
    prepared = settings.model_copy(update=update)
    prepared._keys_generated = settings._keys_generated or "keys" in update
    return prepared
