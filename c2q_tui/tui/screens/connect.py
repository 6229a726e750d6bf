"""Profiles: switch to a configured one, or create one, test it, and save it to `config.toml`.

Testing a TiDB Cloud profile sends one request (listing the data summaries), so a wrong key, region
or app id is reported here, in words, before the profile is used. Testing a local profile opens the
database and reads its tables.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from c2q_tui import api
from c2q_tui.config import SAMPLE_PROFILE, ConfigError, Profile, Resolved, load_file
from c2q_tui.connection import Connection, open_connection

Opener = Callable[..., Connection]

CLOUD_FIELDS = ("region", "app_id", "public_key", "private_key", "cluster_id", "database")
FIELD_LABELS = {
    "name": "Name",
    "region": "Region (e.g. us-east-1)",
    "app_id": "Data App id (chat2query-…)",
    "public_key": "Public key",
    "private_key": "Private key",
    "cluster_id": "Cluster id",
    "database": "Database",
    "database_url": "Database URL (optional for TiDB Cloud: lets the app run refined SQL)",
}


class ProfileTested(Message):
    def __init__(self, ok: bool, text: str) -> None:
        super().__init__()
        self.ok = ok
        self.text = text


def explain_failure(e: BaseException, profile: Profile) -> str:
    """What went wrong testing a profile, and what to check."""
    if isinstance(e, ConfigError):
        return str(e)
    host = ""
    if profile.kind == "tidbcloud":
        try:
            host = profile.endpoint().split("/")[2]
        except ConfigError:
            host = "the service"
    if isinstance(e, api.AuthError):
        if e.expired:
            return "The API key is no longer valid (expired): create a new key pair for the Data App."
        return "The key pair was rejected (HTTP 401): check the public and private keys."
    if isinstance(e, api.NetworkError):
        text = str(e)
        if "host name not found" in text:
            return f"Cannot reach {host}: host name not found. Check the region (e.g. us-east-1)."
        return f"Cannot reach {host}: {text}. Check the region and your network."
    if isinstance(e, api.NotFound):
        return f"No Data App answers at {host} (HTTP 404): check the app id and the region."
    if isinstance(e, api.Chat2QueryError):
        return f"The service answered with an error: {e}"
    return f"{type(e).__name__}: {e}"


def toml_table(name: str, values: dict[str, Any]) -> str:
    # JSON string escapes are valid TOML basic-string escapes
    lines = [f"[profiles.{json.dumps(name)}]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in values.items() if v not in (None, "")]
    return "\n".join(lines) + "\n"


def save_profile(path: Path, profile: Profile) -> None:
    """Append the profile to config.toml (0600: it may hold a private key)."""
    existing = load_file(path)
    if profile.name in (existing.get("profiles") or {}):
        raise ConfigError(f"a profile named {profile.name!r} already exists in {path}")
    values = profile.model_dump(include={"kind", *CLOUD_FIELDS, "database_url", "auth"}, exclude_none=True)
    if profile.private_key is not None:
        values["private_key"] = profile.private_key.get_secret_value()
    if profile.kind == "local":
        values = {k: v for k, v in values.items() if k in ("kind", "database_url")}
    text = path.read_text() if path.exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(("\n" if text and not text.endswith("\n\n") else "") + toml_table(profile.name, values))
    os.chmod(path, 0o600)


class ConnectScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="profiles-close")]

    def __init__(self, resolved: Resolved, *, current: str, opener: Opener = open_connection) -> None:
        """`opener` builds the connection a test uses (the app passes its own connector)."""
        super().__init__(classes="dialog")
        self.resolved = resolved
        self.current = current
        self.opener = opener
        self.tested_ok = False

    def compose(self) -> ComposeResult:
        with Horizontal(classes="dialog-box connect-box") as box:
            box.border_title = "Profiles"
            with Vertical(id="profile-pick"):
                yield Label("Use a profile")
                yield OptionList(id="profile-options")
            with VerticalScroll(id="profile-form"):
                yield Label("…or create one")
                with RadioSet(id="profile-kind"):
                    yield RadioButton("TiDB Cloud Data App", value=True, id="kind-tidbcloud")
                    yield RadioButton("Local database (embedded backend)", id="kind-local")
                for name, label in FIELD_LABELS.items():
                    yield Input(
                        placeholder=label,
                        id=f"field-{name}",
                        password=name == "private_key",
                        classes="field cloud" if name in CLOUD_FIELDS else "field",
                    )
                yield Static("", id="profile-result")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Test", id="profile-test")
                    yield Button("Save and use", variant="primary", id="profile-save")
                    yield Button("Cancel", id="profile-cancel")

    def on_mount(self) -> None:
        options = self.query_one("#profile-options", OptionList)
        names = [SAMPLE_PROFILE, *(n for n in self.resolved.profile_names if n != SAMPLE_PROFILE)]
        for n in names:
            mark = " (current)" if n == self.current else ""
            title = "sample (embedded, sp500insight)" if n == SAMPLE_PROFILE else n
            options.add_option(Option(Content(title + mark), id=n))
        self._kind_changed()

    @property
    def kind(self) -> str:
        return "local" if self.query_one("#kind-local", RadioButton).value else "tidbcloud"

    @on(RadioSet.Changed)
    def _kind_changed(self) -> None:
        local = self.kind == "local"
        for field in self.query(".cloud"):
            field.display = not local
        self.query_one("#field-database_url", Input).placeholder = (
            "Database URL, e.g. sqlite:////home/me/shop.db" if local else FIELD_LABELS["database_url"]
        )

    @on(OptionList.OptionSelected, "#profile-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def _profile(self) -> Profile:
        values: dict[str, Any] = {"kind": self.kind}
        for field in self.query(".field").results(Input):
            name = (field.id or "").removeprefix("field-")
            if field.value.strip() and (self.kind == "tidbcloud" or name not in CLOUD_FIELDS):
                values[name] = field.value.strip()
        if not values.get("name"):
            raise ConfigError("give the profile a name")
        if self.kind == "local" and not values.get("database_url"):
            raise ConfigError("a local profile needs a database URL")
        try:
            profile = Profile(**values)
        except ValidationError as e:
            err = e.errors()[0]
            raise ConfigError(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
        profile.check()
        return profile

    def _show(self, ok: bool | None, text: str) -> None:
        result = self.query_one("#profile-result", Static)
        result.update(Content(text))
        result.set_class(ok is False, "-error")
        result.set_class(ok is True, "-ok")

    @on(Button.Pressed, "#profile-test")
    def _test(self) -> None:
        try:
            profile = self._profile()
        except ConfigError as e:
            self._show(False, f"✗ {e}")
            return
        self._show(None, "Testing…")
        self.test_worker(profile)

    @work(exclusive=True, group="profile-test", exit_on_error=False)
    async def test_worker(self, profile: Profile) -> None:
        try:
            if profile.kind == "local":
                from c2q_tui.local.database import Database

                db = await asyncio.to_thread(Database, profile.database_url or "")
                try:
                    schema = await asyncio.to_thread(db.schema)
                finally:
                    db.dispose()
                self.post_message(ProfileTested(True, f"✓ Opened {db.name}: {len(schema.tables)} tables."))
                return
            conn = await asyncio.to_thread(self.opener, profile)
            try:
                summaries = await conn.client.list_data_summaries()
            finally:
                await conn.aclose()
            names = sorted({s.database for s in summaries if s.database})
            tail = f" Databases with a data summary: {', '.join(names)}." if names else ""
            self.post_message(ProfileTested(True, f"✓ Connected to the Data App.{tail}"))
        except Exception as e:
            self.post_message(ProfileTested(False, f"✗ {explain_failure(e, profile)}"))

    @on(ProfileTested)
    def _tested(self, message: ProfileTested) -> None:
        self.tested_ok = message.ok
        self._show(message.ok, message.text)

    @on(Button.Pressed, "#profile-save")
    def _save(self) -> None:
        try:
            profile = self._profile()
            save_profile(self.resolved.config_path, profile)
        except (ConfigError, OSError) as e:
            self._show(False, f"✗ {e}")
            return
        self.dismiss(profile.name)

    @on(Button.Pressed, "#profile-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
