"""The history store's additions for the app: drafts, adoption, open turns, refinements, and the
upgrade of a file written by the first schema version."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from c2q_tui.history import _MIGRATIONS, SCHEMA_VERSION, History


def test_a_version_1_file_is_upgraded_in_place(c2q_home: Any, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.executescript(_MIGRATIONS[1])
        db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        db.execute(
            "INSERT INTO turns (profile, session_id, question, status, created_at, updated_at) "
            "VALUES ('p', 7, 'old question', 'done', 1, 2)"
        )
        db.execute("INSERT INTO sessions VALUES ('p', 7, 'db', 'old', 1, 2)")
    h = History(path)
    [turn] = h.turns("p", 7)
    assert (turn.question, turn.error_kind) == ("old question", "")
    assert h.sessions("p")[0].reset_at is None
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta").fetchone()[0] == str(SCHEMA_VERSION) == "3"


def test_drafts_are_adopted_by_the_server_session(c2q_home: Any) -> None:
    h = History()
    draft = h.new_draft_id("p")
    assert draft == -1
    h.upsert_session("p", draft, database="db", name="first question")
    failed = h.add_turn("p", draft, "first question", "direct")
    h.finish_turn(failed, status="failed", reason="network down", error_kind="network")
    assert h.new_draft_id("p") == -2
    assert h.sessions("p") == []  # drafts are not listed for the CLI
    assert [s.session_id for s in h.sessions("p", include_drafts=True)] == [draft]
    assert h.last_session("p") is None
    h.adopt_draft("p", draft, 42)
    [s] = h.sessions("p")
    assert (s.session_id, s.name, s.turn_count) == (42, "first question", 1)
    assert h.turns("p", 42)[0].error_kind == "network"


def test_open_turns_rename_reset_and_refinements(c2q_home: Any) -> None:
    h = History()
    h.upsert_session("p", 5, database="db", name="a")
    running = h.add_turn("p", 5, "q1", "direct")
    h.set_turn_job(running, "a" * 32, 5)
    done = h.add_turn("p", 5, "q2", "direct")
    h.finish_turn(done, status="done", result={"sql": "SELECT 1"})
    assert [t.turn_id for t in h.open_turns("p")] == [running]
    assert h.sessions("p")[0].running_count == 1
    h.rename_session("p", 5, "renamed")
    at = h.mark_session_reset("p", 5, 123.0)
    [s] = h.sessions("p")
    assert (s.name, s.reset_at, at) == ("renamed", 123.0, 123.0)
    r = h.add_refinement(done, "0", "limit 1", "SELECT 1")
    h.set_refinement_job(r, "b" * 32)
    h.finish_refinement(r, status="done", new_sql="SELECT 1 LIMIT 1", explanation="limited")
    [row] = h.refinements([done])
    assert (row.feedback, row.new_sql, row.status, row.job_id) == (
        "limit 1",
        "SELECT 1 LIMIT 1",
        "done",
        "b" * 32,
    )
    h.forget_session("p", 5)
    assert h.refinements([done]) == [] and h.turn(done) is None
