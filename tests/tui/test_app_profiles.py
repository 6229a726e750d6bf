"""The profile screen: a wrong key or region is explained there; a new profile is tested, saved and
used; the help screen and the command palette come from the action registry."""

from __future__ import annotations

import sqlite3
import tomllib
from typing import Any

import httpx
from textual.widgets import Button, Input, RadioButton, Static

from c2q_tui import paths
from c2q_tui.config import Profile
from c2q_tui.tui import actions
from c2q_tui.tui.screens.connect import ConnectScreen, ProfileTested
from c2q_tui.tui.screens.help import HelpScreen
from tests.tui.conftest import Seen, make_app, wait_for, wait_ready

CLOUD = {
    "name": "cloud",
    "region": "us-east-9",
    "app_id": "chat2query-AbCdEf",
    "public_key": "PUBKEY01",
    "private_key": "wrong-secret",
    "cluster_id": "10140100115280519574",
    "database": "sp500insight",
}


async def fill(pilot: Any, values: dict[str, str]) -> ConnectScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ConnectScreen)
    for name, value in values.items():
        screen.query_one(f"#field-{name}", Input).value = value
    await pilot.pause()
    return screen


async def press_test(pilot: Any, seen: Seen) -> str:
    before = len(seen.of(ProfileTested))
    pilot.app.screen.query_one("#profile-test", Button).press()
    await wait_for(pilot, lambda: len(seen.of(ProfileTested)) > before)
    return str(pilot.app.screen.query_one("#profile-result", Static).render())


async def test_wrong_key_is_explained_on_the_profile_screen(home: Any, backend_factory: Any) -> None:
    backend = backend_factory()

    def opener(profile: Profile, **kw: Any) -> Any:
        # a TiDB Cloud profile whose key the service rejects (the embedded backend plays the service)
        if profile.kind == "tidbcloud":
            backend.private_key = profile.secret().get_secret_value()
        return backend.connector(profile, **kw)

    seen = Seen()
    app = make_app(connector=opener)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+o")
        await fill(pilot, CLOUD)
        text = await press_test(pilot, seen)
        assert text.startswith("✗") and "key pair was rejected" in text and "401" in text


async def test_wrong_region_is_explained_on_the_profile_screen(home: Any, backend_factory: Any) -> None:
    backend = backend_factory()

    def opener(profile: Profile, **kw: Any) -> Any:
        conn = backend.connector(profile, **kw)
        # what a misspelt region looks like: the host does not resolve
        backend.transport.down = profile.kind == "tidbcloud"
        return conn

    seen = Seen()
    app = make_app(connector=opener)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        backend.transport.error = lambda r: httpx.ConnectError(
            "[Errno -2] Name or service not known", request=r
        )
        await pilot.press("ctrl+o")
        await fill(pilot, CLOUD)
        text = await press_test(pilot, seen)
        assert "us-east-9.data.tidbcloud.com" in text and "host name not found" in text and "region" in text


async def test_incomplete_profile_is_refused_before_any_request(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+o")
        await fill(pilot, {"name": "half", "region": "us-east-1"})
        app.screen.query_one("#profile-test", Button).press()
        await pilot.pause()
        text = str(app.screen.query_one("#profile-result", Static).render())
        assert text.startswith("✗") and ("app_id" in text or "missing" in text)


async def test_create_test_save_and_use_a_local_profile(home: Any, tmp_path: Any) -> None:
    shop = tmp_path / "shop.sqlite3"
    with sqlite3.connect(shop) as db:
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, total REAL)")
        db.executemany("INSERT INTO orders (customer, total) VALUES (?, ?)", [("ann", 5.0), ("bob", 7.5)])
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+o")
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        screen.query_one("#kind-local", RadioButton).value = True
        await fill(pilot, {"name": "shop", "database_url": f"sqlite:///{shop}"})
        assert not screen.query_one("#field-region").display
        text = await press_test(pilot, seen)
        assert text.startswith("✓") and "shop" in text and "1 table" in text
        screen.query_one("#profile-save", Button).press()
        await wait_for(pilot, lambda: app.profile.name == "shop" and app.ready, timeout=30)
        assert app.conn is not None and app.conn.database == "shop"
        saved = tomllib.loads(paths.config_file().read_text())
        assert saved["profiles"]["shop"] == {"kind": "local", "database_url": f"sqlite:///{shop}"}
        assert (paths.config_file().stat().st_mode & 0o777) == 0o600
        assert [(e.title, e.database) for e in app.main.sidebar.entries] == [("New session", "shop")]


async def test_help_lists_every_binding_and_the_palette_has_every_action(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).render())
        for a in actions.ACTIONS:
            assert a.help in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        provider = actions.ActionCommands(app.screen)
        titles = [hit.text for hit in [h async for h in provider.discover()]]
        assert len(titles) == len([a for a in actions.ACTIONS if a.scope == "app" or a.palette])


def test_every_binding_has_an_id_and_a_description() -> None:
    ids = [a.id for a in actions.ACTIONS]
    assert len(ids) == len(set(ids))
    for a in actions.ACTIONS:
        b = a.binding()
        assert b.id and b.description and b.tooltip


async def test_profile_resolved_after_the_first_frame_and_a_config_error_closes_the_app(home: Any) -> None:
    """`c2q-tui` resolves the profile once the first frame is up; a configuration error then closes
    the app with status 1, and `run_app` raises it for the command line to print."""
    from c2q_tui.config import resolve
    from c2q_tui.tui.app import C2QApp

    app = C2QApp(lambda: resolve("nowhere"), live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.config_error is not None)
    assert "no profile named 'nowhere'" in str(app.config_error)
    assert app.return_code == 1 and app.conn is None

    app = C2QApp(lambda: resolve(), live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        assert app.profile.name == "sample" and app.config_error is None
