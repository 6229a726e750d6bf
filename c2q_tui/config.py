"""Profiles from `config.toml`, overridden by `C2Q_*` environment variables and command-line flags.

Precedence, highest first: command-line flags, environment, the config file, built-in defaults. Every
resolved value remembers where it came from, so `c2q-tui config` can show it. With no configuration at
all the active profile is the embedded backend on the `sp500insight` sample database.

    default = "cloud"

    [profiles.cloud]              # TiDB Cloud Chat2Query Data App
    region = "us-east-1"
    app_id = "chat2query-AbCdEf"  # or base_url = "https://.../endpoint"
    public_key = "..."
    private_key_env = "C2Q_CLOUD_KEY"   # or private_key = "..."
    cluster_id = "10140100115280519574"
    database = "sp500insight"
    auth = "digest"
    database_url = "mysql+pymysql://..."   # optional: lets the app run refined SQL itself

    [profiles.mine]               # embedded backend on your own database
    database_url = "sqlite:////home/me/shop.db"
    engine = "builtin"
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from c2q_tui import paths
from c2q_tui.configfile import ConfigError as ConfigError
from c2q_tui.configfile import load_file as load_file

SAMPLE_PROFILE = "sample"
ENV_PROFILE = "env"
TIDBCLOUD_HOST = "https://{region}.data.tidbcloud.com/api/v1beta/app/{app_id}/endpoint"

Kind = Literal["tidbcloud", "local"]
Source = str  # "default", "config.toml", "env C2Q_X", "--flag"


class Profile(BaseModel):
    """One place to ask questions: a TiDB Cloud Data App or the embedded backend on a database."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str = SAMPLE_PROFILE
    kind: Kind = "local"
    # TiDB Cloud
    region: str | None = None
    app_id: str | None = None
    base_url: str | None = None
    public_key: str | None = None
    private_key: SecretStr | None = None
    private_key_env: str | None = None
    cluster_id: str | None = None
    database: str | None = None
    auth: Literal["digest", "basic"] = "digest"
    daily_quota: int = Field(default=100, ge=1)
    # embedded backend (and, on a TiDB Cloud profile, a direct connection for running refined SQL)
    database_url: str | None = None
    engine: Literal["builtin", "openai", "chat2db"] = "builtin"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key_env: str = "C2Q_LLM_API_KEY"
    chat2db_api_base: str = "https://api.chat2db-ai.com"
    chat2db_app_base: str = "https://app.chat2db-ai.com"
    chat2db_api_key_env: str = "C2Q_CHAT2DB_API_KEY"
    chat2db_dataset_id: str | None = None

    def endpoint(self) -> str:
        """The whole endpoint base URL of a TiDB Cloud profile."""
        if self.base_url:
            return self.base_url.rstrip("/")
        if self.region and self.app_id:
            return TIDBCLOUD_HOST.format(region=self.region, app_id=self.app_id)
        raise ConfigError(f"profile {self.name!r} needs base_url, or region and app_id")

    def secret(self) -> SecretStr:
        """The private key: from the profile, else the environment variable it names, else the OS
        keyring (`c2q-tui config --store-key`)."""
        if self.private_key is not None:
            return self.private_key
        value = os.environ.get(self.private_key_env) if self.private_key_env else None
        if value:
            return SecretStr(value)
        from c2q_tui import secrets

        stored = secrets.get_secret(secrets.profile_entry(self.name))
        if stored is not None:
            return stored
        if self.private_key_env:
            raise ConfigError(
                f"profile {self.name!r}: environment variable {self.private_key_env} (private key) is not set"
            )
        raise ConfigError(
            f"profile {self.name!r} has no private key (set private_key_env or private_key, or store it in "
            "the OS keyring with: c2q-tui config --store-key)"
        )

    def check(self) -> None:
        """Raise ConfigError unless the profile has everything it needs to connect."""
        if self.kind == "local":
            return
        self.endpoint()
        missing = [k for k in ("public_key", "cluster_id", "database") if not getattr(self, k)]
        if missing:
            raise ConfigError(f"profile {self.name!r} is missing {', '.join(missing)}")
        self.secret()


@dataclass
class Resolved:
    profile: Profile
    sources: dict[str, Source]
    config_path: Path
    config_exists: bool
    profile_names: list[str] = field(default_factory=list)
    default_name: str | None = None


_ENV_FIELDS = {
    "C2Q_PUBLIC_KEY": "public_key",
    "C2Q_PRIVATE_KEY": "private_key",
    "C2Q_CLUSTER_ID": "cluster_id",
    "C2Q_DATABASE": "database",
    "C2Q_AUTH": "auth",
}


def resolve(
    profile_name: str | None = None,
    *,
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Resolved:
    """Work out the active profile. `profile_name` and `database_url` are command-line flags."""
    env = os.environ if env is None else env
    path = config_path or paths.config_file()
    data = load_file(path)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: [profiles] must be a table of tables")
    default_name = data.get("default") if isinstance(data.get("default"), str) else None

    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}

    def put(key: str, value: Any, source: Source) -> None:
        values[key] = value
        sources[key] = source

    if profile_name:
        name, name_source = profile_name, "--profile"
    elif env.get("C2Q_PROFILE"):
        name, name_source = env["C2Q_PROFILE"], "env C2Q_PROFILE"
    elif env.get("C2Q_BASE_URL"):
        name, name_source = ENV_PROFILE, "env C2Q_BASE_URL"
    elif default_name:
        name, name_source = default_name, "config.toml default"
    else:
        name, name_source = SAMPLE_PROFILE, "default"
    put("name", name, name_source)

    if name in profiles:
        table = profiles[name]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [profiles.{name}] must be a table")
        for key, value in table.items():
            put(key, value, "config.toml")
        if "kind" not in table:
            remote = any(k in table for k in ("base_url", "app_id", "region", "public_key"))
            put("kind", "tidbcloud" if remote else "local", "config.toml (inferred)")
    elif name not in (SAMPLE_PROFILE, ENV_PROFILE):
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"no profile named {name!r} in {path} (profiles: {known})")

    if env.get("C2Q_BASE_URL") and not profile_name:
        put("kind", "tidbcloud", "env C2Q_BASE_URL")
        put("base_url", env["C2Q_BASE_URL"], "env C2Q_BASE_URL")
    for var, key in _ENV_FIELDS.items():
        if env.get(var):
            put(key, env[var], f"env {var}")
    if env.get("C2Q_DATABASE_URL"):
        put("database_url", env["C2Q_DATABASE_URL"], "env C2Q_DATABASE_URL")
    if database_url:
        put("database_url", database_url, "--database-url")
        if not profile_name and not env.get("C2Q_BASE_URL"):
            put("kind", "local", "--database-url")

    try:
        profile = Profile(**values)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"profile {name!r}: {where}: {err['msg']}") from None
    for key in Profile.model_fields:
        sources.setdefault(key, "default")
    return Resolved(
        profile=profile,
        sources=sources,
        config_path=path,
        config_exists=path.exists(),
        profile_names=sorted(profiles),
        default_name=default_name,
    )


def describe(resolved: Resolved) -> list[tuple[str, str, Source]]:
    """(key, shown value, source) rows for `c2q-tui config`; secrets are never shown."""
    p = resolved.profile
    rows: list[tuple[str, str, Source]] = []
    for key in Profile.model_fields:
        value = getattr(p, key)
        source = resolved.sources.get(key, "default")
        if key == "private_key":
            shown = "(not set)" if value is None else "********"
            if value is None and p.kind == "tidbcloud":
                from c2q_tui import secrets

                if secrets.get_secret(secrets.profile_entry(p.name)) is not None:
                    shown, source = "********", "OS keyring"
        elif key == "database_url" and value:
            from sqlalchemy.engine import make_url

            try:
                shown = make_url(value).render_as_string(hide_password=True)
            except Exception:
                shown = "(unparseable URL)"
        elif value is None:
            shown = "(not set)"
        else:
            shown = str(value)
        rows.append((key, shown, source))
    return rows
