"""The header's quota meter, pane toggles, $EDITOR edits, and user text shown as text."""

from __future__ import annotations

from typing import Any

from c2q_tui.api import QuotaLedger
from c2q_tui.tui.messages import QuotaUpdated, SqlRan
from c2q_tui.tui.widgets.sql_viewer import SqlViewer
from tests.tui.conftest import Seen, ask, make_app, wait_for, wait_ready


async def test_quota_meter_counts_and_warns_near_the_daily_limit(home: Any, backend_factory: Any) -> None:
    backend = backend_factory()

    def cloud_like(profile: Any, **kw: Any) -> Any:
        conn = backend.connector(profile, **kw)
        conn.local = False  # a Data App with the service's 100 requests a day
        return conn

    app_key = cloud_like(None).client.app_key
    ledger = QuotaLedger()
    for _ in range(84):
        ledger.record_request(app_key)
    seen = Seen()
    app = make_app(connector=cloud_like)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await wait_for(pilot, lambda: seen.of(QuotaUpdated))
        meter = app.main.quota
        assert str(meter.render()) == "84/100 today"
        assert "-warn" in meter.classes
        await ask(pilot, "how many companies are there")
        # a submit and at least one poll; how many polls depends on how fast the job ran
        await wait_for(pilot, lambda: str(meter.render()) == f"{ledger.used_today(app_key)}/100 today")
        assert ledger.used_today(app_key) >= 86


async def test_embedded_backend_has_no_limit_but_counts(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "how many companies are there")
        assert app.conn is not None
        used = QuotaLedger().used_today(app.conn.client.app_key)
        assert used >= 3  # the summary check, the submit, a poll
        await wait_for(pilot, lambda: str(app.main.quota.render()) == f"{used} requests today")
        assert "-warn" not in app.main.quota.classes


async def test_sidebar_toggles_and_a_pane_maximises(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await pilot.press("f2")
        assert not app.main.sidebar.display
        await pilot.press("f2")
        assert app.main.sidebar.display
        app.main.chat.composer.focus()
        await pilot.press("f4")
        assert app.main.maximized is app.main.chat
        await pilot.press("f4")
        assert app.main.maximized is None


async def test_sql_edited_in_the_editor_can_be_run(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "top 5 companies by revenue")
        viewer = app.main.sql
        viewer.post_message(SqlViewer.Edited(viewer, "SELECT stock_symbol FROM companies LIMIT 2"))
        await wait_for(pilot, lambda: app.main.refine.display and viewer.mode == "diff")
        await pilot.press("f9")
        await wait_for(pilot, lambda: seen.of(SqlRan))
        assert len(seen.of(SqlRan)[0].rows) == 2


async def test_questions_and_answers_are_text_not_markup(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        turn = await ask(pilot, "[bold red]how many[/] companies are there")
        card = app.main.chat.card(turn)
        assert card is not None
        assert "[bold red]how many[/] companies are there" in str(card.query_one(".question").render())
        assert app.main.sidebar.entries[0].title.startswith("[bold red]")


async def test_the_rows_and_chart_tabs_switch_by_click_and_by_keys(home: Any) -> None:
    from textual.widgets import ContentSwitcher, Tabs

    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "total revenue by sector")
        views = app.main.query_one("#result-views", ContentSwitcher)
        tabs = app.main.query_one("#result-tabs Tabs", Tabs)
        assert views.current == "rows-view" and tabs.active == "tab-rows"
        assert app.main.grid.region.height > 5  # the rows are on screen
        await pilot.click("#tab-chart")
        await pilot.pause()
        assert views.current == "chart-view" and tabs.active == "tab-chart"
        assert app.main.chart.region.height > 5 and app.main.grid.region.height == 0
        tabs.focus()
        await pilot.press("left")
        await pilot.pause()
        assert views.current == "rows-view" and app.main.grid.region.height > 5
        app.main.show_results("chart")  # what the app does to bring the chart forward
        await pilot.pause()
        assert tabs.active == "tab-chart" and views.current == "chart-view"
