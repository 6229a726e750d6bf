"""Fixtures: the sample database and shopdb built once per test session, and one shared engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from c2q_tui.local.database import Database
from c2q_tui.local.engines.base import EngineContext
from c2q_tui.local.engines.builtin import BuiltinEngine
from c2q_tui.local.sample import build_sample
from tests.fixtures.shopdb import build_shopdb


@pytest.fixture(scope="session")
def sp500_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    path = tmp_path_factory.mktemp("engine") / "sp500insight.db"
    build_sample(path)
    return Database(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def shop_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    path: Path = tmp_path_factory.mktemp("engine") / "shopdb.db"
    build_shopdb(path)
    return Database(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def engine() -> BuiltinEngine:
    return BuiltinEngine()


@pytest.fixture
def sp500(sp500_db: Database) -> EngineContext:
    return EngineContext(db=sp500_db, schema=sp500_db.schema())


@pytest.fixture
def shop(shop_db: Database) -> EngineContext:
    return EngineContext(db=shop_db, schema=shop_db.schema())
