from __future__ import annotations

import sqlite3

from c2q_tui.history import SCHEMA_VERSION, History


def test_turns_are_recorded_before_and_after_the_request() -> None:
    h = History()
    turn = h.add_turn("sample", None, "count the users", "direct")
    assert h.turns("sample")[0].status == "submitting"
    h.set_turn_job(turn, "f" * 32, 42)
    h.upsert_session("sample", 42, database="sp500insight", name="count the users")
    h.finish_turn(turn, status="done", result={"sql": "SELECT 1"}, requests_spent=3)
    [t] = h.turns("sample", 42)
    assert (t.status, t.job_id, t.result, t.requests_spent) == ("done", "f" * 32, {"sql": "SELECT 1"}, 3)
    assert h.last_session("sample") == 42
    assert h.last_session("sample", "other-db") is None
    assert h.sessions("sample")[0].turn_count == 1


def test_reopening_keeps_data_and_schema_version() -> None:
    h = History()
    h.upsert_session("p", 1, database=None, name="a")
    h2 = History(h.path)
    assert [s.session_id for s in h2.sessions("p")] == [1]
    with sqlite3.connect(h.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        assert row[0] == str(SCHEMA_VERSION)


def test_most_recent_session_wins_and_forget_removes_it() -> None:
    h = History()
    h.upsert_session("p", 1, database="d", name="a")
    h.upsert_session("p", 2, database="d", name="b")
    assert h.last_session("p") == 2
    h.forget_session("p", 2)
    assert h.last_session("p") == 1
