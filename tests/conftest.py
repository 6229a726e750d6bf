"""Every test runs with its own C2Q_HOME, so no test reads or writes the user's real files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

_SHARED = ("C2Q_PROFILE", "C2Q_BASE_URL", "C2Q_PUBLIC_KEY", "C2Q_PRIVATE_KEY", "C2Q_CLUSTER_ID",
           "C2Q_DATABASE", "C2Q_AUTH", "C2Q_DATABASE_URL", "C2Q_LLM_API_KEY")


@pytest.fixture(autouse=True)
def c2q_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("c2q-home")
    monkeypatch.setenv("C2Q_HOME", str(home))
    for var in _SHARED:
        monkeypatch.delenv(var, raising=False)
    yield home


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sp500insight sample, built once per test run (about half a second)."""
    from c2q_tui.local.sample import build_sample

    return build_sample(tmp_path_factory.mktemp("sample") / "sp500insight.sqlite3")


@pytest.fixture
def sample_db(built_sample: Path, c2q_home: Path) -> Path:
    """A private copy of the sample where the app looks for it, so nothing rebuilds it."""
    import shutil

    from c2q_tui import paths

    target = paths.sample_db()
    shutil.copyfile(built_sample, target)
    return target
