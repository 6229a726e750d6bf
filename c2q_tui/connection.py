"""A profile, connected: the client plus what every request needs (cluster id, database).

A TiDB Cloud profile talks HTTPS to the service. A local profile (no configuration, `--database-url`,
or `database_url` in config) runs the embedded backend in this process and reaches it through
`httpx.ASGITransport`, so the same client code serves both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from c2q_tui.api import EMBEDDED_PACE, Chat2QueryClient, QuotaLedger
from c2q_tui.config import Profile

LOCAL_HOST = "http://c2q-local"

Progress = Callable[[str], None]


@dataclass
class Connection:
    profile: Profile
    client: Chat2QueryClient
    cluster_id: str
    database: str
    local: bool
    databases: list[str] = field(default_factory=list)
    # keeps the embedded backend alive for as long as the connection
    backend: Any = None

    @property
    def history_key(self) -> str:
        """Sessions belong to a profile and a database."""
        return self.profile.name

    async def aclose(self) -> None:
        """Close the client and, for the embedded backend, its running jobs and store."""
        await self.client.aclose()
        if self.backend is not None:
            from c2q_tui.local.app import backend_of

            await backend_of(self.backend).aclose()

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def open_connection(profile: Profile, *, on_progress: Progress | None = None) -> Connection:
    """Build the client for a profile. Raises ConfigError when the profile is incomplete."""
    profile.check()
    if profile.kind == "tidbcloud":
        client = Chat2QueryClient(
            profile.endpoint(),
            public_key=profile.public_key or "",
            private_key=profile.secret(),
            auth=profile.auth,
            ledger=QuotaLedger(),
        )
        assert profile.cluster_id and profile.database  # check() guarantees both
        return Connection(
            profile=profile,
            client=client,
            cluster_id=profile.cluster_id,
            database=profile.database,
            local=False,
            databases=[profile.database],
        )
    return _open_local(profile, on_progress)


def _open_local(profile: Profile, on_progress: Progress | None) -> Connection:
    from c2q_tui.local.app import build_local_app
    from c2q_tui.local.settings import LocalSettings

    settings = LocalSettings.for_profile(
        database_url=profile.database_url,
        engine=profile.engine,
        llm_base_url=profile.llm_base_url,
        llm_model=profile.llm_model,
        llm_api_key_env=profile.llm_api_key_env,
        chat2db_api_base=profile.chat2db_api_base,
        chat2db_app_base=profile.chat2db_app_base,
        chat2db_api_key_env=profile.chat2db_api_key_env,
        chat2db_dataset_id=profile.chat2db_dataset_id,
    )
    app, settings = build_local_app(settings, on_progress=on_progress)
    key = settings.keys[0]
    databases = settings.database_names()
    database = profile.database if profile.database in databases else databases[0]
    client = Chat2QueryClient(
        f"{LOCAL_HOST}/api/v1beta/app/{settings.app_id}/endpoint",
        public_key=key.public_key,
        private_key=key.private_key,
        auth="digest",
        transport=httpx.ASGITransport(app=app),
        ledger=QuotaLedger(),
        pace=EMBEDDED_PACE,
    )
    return Connection(
        profile=profile,
        client=client,
        cluster_id=settings.cluster_id,
        database=database,
        local=True,
        databases=databases,
        backend=app,
    )
