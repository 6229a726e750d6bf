"""The quota ledger: counts per app and UTC day, header figures, durations, two writers at once."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from c2q_tui.api import QuotaLedger, RateLimitInfo
from c2q_tui.paths import history_db

APP = "https://us-east-1.data.tidbcloud.com/api/v1beta/app/chat2query-X/endpoint"
OTHER = "https://eu-central-1.data.tidbcloud.com/api/v1beta/app/chat2query-Y/endpoint"


class Clock:
    def __init__(self, when: str) -> None:
        self.t = datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.t


def test_counts_per_app(tmp_path: Path) -> None:
    ledger = QuotaLedger(tmp_path / "q.sqlite3")
    assert [ledger.record_request(APP) for _ in range(3)] == [1, 2, 3]
    ledger.record_request(OTHER)
    assert ledger.used_today(APP) == 3 and ledger.used_today(OTHER) == 1
    assert ledger.remaining(APP) == 97 and ledger.remaining(APP, daily_limit=3) == 0


def test_utc_day_rollover(tmp_path: Path) -> None:
    clock = Clock("2024-06-19 23:59:58")
    ledger = QuotaLedger(tmp_path / "q.sqlite3", clock=clock)
    ledger.record_request(APP)
    ledger.record_request(APP)
    assert ledger.used_today(APP) == 2 and ledger.day() == "2024-06-19"
    clock.t += 3  # 00:00:01 UTC the next day
    assert ledger.used_today(APP) == 0 and ledger.remaining(APP) == 100
    assert ledger.record_request(APP) == 1 and ledger.day() == "2024-06-20"


def test_warning_levels(tmp_path: Path) -> None:
    ledger = QuotaLedger(tmp_path / "q.sqlite3")
    for _ in range(79):
        ledger.record_request(APP)
    assert not ledger.should_warn(APP) and ledger.status(APP).message is None
    ledger.record_request(APP)
    status = ledger.status(APP)
    assert ledger.should_warn(APP) and status.level == "warn" and str(status) == "80/100 today"
    assert status.message == "20 of 100 daily requests left (UTC day)"
    for _ in range(20):
        ledger.record_request(APP)
    assert ledger.status(APP).level == "exhausted" and "used up" in (ledger.status(APP).message or "")


def test_rate_limit_headers_are_kept(tmp_path: Path) -> None:
    ledger = QuotaLedger(tmp_path / "q.sqlite3")
    ledger.record_request(
        APP, {"X-RateLimit-Limit-Minute": "10", "x-ratelimit-remaining-minute": "9", "X-Ratelimit-Reset": "8"}
    )
    info = ledger.last_rate_limit(APP)
    assert info == RateLimitInfo(limit_minute=10, remaining_minute=9, reset_after=8.0)
    ledger.record_request(APP, {})  # a response without the headers keeps the last figures
    assert ledger.last_rate_limit(APP) == info


def test_a_per_day_header_wins_over_our_count(tmp_path: Path) -> None:
    ledger = QuotaLedger(tmp_path / "q.sqlite3")
    ledger.record_request(APP)
    ledger.record_request(APP, {"X-RateLimit-Remaining-Day": "40", "X-RateLimit-Limit-Day": "100"})
    ledger.record_request(APP)
    assert ledger.remaining(APP) == 39  # other clients spent what we did not see
    assert ledger.status(APP).used == 61


def test_reset_as_a_timestamp() -> None:
    info = RateLimitInfo.from_headers({"x-ratelimit-reset": "1700000030"}, now=1_700_000_000)
    assert info.reset_after == 30 and not info.empty
    assert RateLimitInfo.from_headers({"retry-after": "5"}).reset_after == 5
    assert RateLimitInfo.from_headers({"x-ratelimit-reset": "soon"}).empty


def test_durations_newest_first_per_kind_and_app(tmp_path: Path) -> None:
    ledger = QuotaLedger(tmp_path / "q.sqlite3")
    for s in (5.0, 6.0, 7.0):
        ledger.record_job_duration(APP, "chat2data", s)
    ledger.record_job_duration(APP, "data_summary", 90.0)
    ledger.record_job_duration(OTHER, "chat2data", 1.0)
    ledger.record_job_duration(APP, "chat2data", 0.0)  # nonsense is ignored
    assert ledger.durations(APP, "chat2data") == [7.0, 6.0, 5.0]
    assert ledger.durations(APP, "chat2data", limit=2) == [7.0, 6.0]
    assert ledger.durations(APP, "data_summary") == [90.0]


def test_default_location_is_the_history_db() -> None:
    ledger = QuotaLedger()  # C2Q_HOME points at a temporary dir (conftest)
    assert ledger.path == history_db()
    ledger.record_request(APP)
    assert ledger.used_today(APP) == 1


def test_two_connections_in_threads(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    ledgers = [QuotaLedger(path), QuotaLedger(path)]

    def spend(ledger: QuotaLedger) -> None:
        for _ in range(100):
            ledger.record_request(APP)

    threads = [threading.Thread(target=spend, args=(ledger,)) for ledger in ledgers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ledgers[0].used_today(APP) == 200


def test_two_processes(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    QuotaLedger(path)
    code = (
        "import sys; from pathlib import Path; from c2q_tui.api.quota import QuotaLedger\n"
        "ledger = QuotaLedger(Path(sys.argv[1]))\n"
        "for _ in range(150): ledger.record_request(sys.argv[2])\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), APP]) for _ in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    assert QuotaLedger(path).used_today(APP) == 300
