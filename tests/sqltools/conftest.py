"""The sample database (sp500insight), opened read-only through `Database`, for the SQL tools."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from c2q_tui.local.database import Database


@pytest.fixture
def db(sample_db: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{sample_db}")
    yield database
    database.dispose()
