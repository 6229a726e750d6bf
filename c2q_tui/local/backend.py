"""Everything one backend instance holds: settings, store, databases, engine, jobs, auth and limits.

Databases open lazily, in a worker thread, on first use (the sample database is built then if it is
missing), so creating the app is cheap and needs no running loop.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from sqlalchemy.engine import make_url

from c2q_tui.local.auth import Authenticator
from c2q_tui.local.database import Database
from c2q_tui.local.engines import Engine, create_engine
from c2q_tui.local.envelopes import ApiError, ParamError
from c2q_tui.local.jobs import JobManager, parse_latency
from c2q_tui.local.ratelimit import RateLimiter
from c2q_tui.local.settings import LocalSettings, sample_url
from c2q_tui.local.store import Store

ORG_ID = "1"


def ensure_sample_at(url: str) -> None:
    """Build the sample database if `url` is the default sample URL and the file is not there yet."""
    if url != sample_url():
        return
    from c2q_tui.local.sample import ensure_sample

    database = make_url(url).database
    ensure_sample(Path(database) if database else None)


class Databases:
    def __init__(self, urls: dict[str, str], *, timeout: float) -> None:
        self.urls = urls
        self.timeout = timeout
        self._open: dict[str, Database] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return list(self.urls)

    def _open_sync(self, name: str) -> Database:
        with self._lock:  # one opener per database, even from several worker threads
            db = self._open.get(name)
            if db is None:
                ensure_sample_at(self.urls[name])
                db = Database(self.urls[name], name=name, timeout=self.timeout)
                self._open[name] = db
            return db

    async def get(self, name: str) -> Database:
        db = self._open.get(name)
        if db is not None:
            return db
        try:
            return await asyncio.to_thread(self._open_sync, name)
        except Exception as e:  # a missing file, a bad URL, a driver that is not installed
            raise ApiError(500, f"cannot open database {name!r}: {e}") from None

    def close(self) -> None:
        with self._lock:
            for db in self._open.values():
                db.dispose()
            self._open.clear()


class Backend:
    def __init__(self, settings: LocalSettings, store: Store, engine: Engine | None = None) -> None:
        self.settings = settings
        self.store = store
        self.databases = Databases(settings.database_map(), timeout=settings.statement_timeout)
        self.engine: Engine = engine or create_engine(settings.engine, settings)
        latency = parse_latency(settings.job_latency) if settings.job_latency else None
        self.jobs = JobManager(store, latency=latency, time_scale=settings.time_scale)
        self.auth = Authenticator(settings.keys, nonce_ttl=settings.nonce_ttl)
        self.limiter = RateLimiter(
            store, settings.app_id, per_minute=settings.per_minute, daily_quota=settings.daily_quota
        )
        self.closing = threading.Event()  # long builds in worker threads check it to stop early
        self.closed = False

    @property
    def cluster_id(self) -> str:
        return self.settings.cluster_id

    def check_cluster(self, cluster_id: str | int | None) -> None:
        if cluster_id is not None and str(cluster_id) != self.cluster_id:
            raise ApiError(
                400,
                f"cluster {cluster_id} is not served by this backend; it serves cluster {self.cluster_id}",
            )

    def target(
        self,
        cluster_id: str | int | None,
        database: str | None,
        database_uri: str | None = None,
    ) -> str:
        """The served database a request names; 400 (Chat2Query envelope) for another cluster or
        database. `cluster_id` may be left out; `database_uri` (`mysql://.../db`, `spider://db`) is
        accepted in place of `database`, as PingCAP's own clients send it."""
        self.check_cluster(cluster_id)
        name = database
        if not name and database_uri:
            name = database_uri.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        if not name:
            raise ParamError("database is required")
        if name not in self.databases.urls:
            served = ", ".join(self.databases.names)
            raise ApiError(400, f"database {name!r} is not served by this backend; it serves: {served}")
        return name

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.closing.set()
        await self.jobs.aclose()
        close = getattr(self.engine, "close", None)
        if callable(close):
            close()
        self.databases.close()
        try:
            self.limiter.close()  # the request count it keeps in memory goes to the store first
        finally:
            self.store.close()
