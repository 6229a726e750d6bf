"""Secrets: never shown, kept private on disk, and kept in the OS keyring when there is one.

- Private keys are `SecretStr` in the profile, the client and the backend's key specs: no `repr`,
  `c2q-tui config` output, error message, exception or log line shows them, also when requests fail
  (bad key, connection refused, a server error).
- `write_private` creates files with mode 0600 (atomically); `c2q-tui config` and `c2q-tui ask` warn
  on stderr when config.toml holds a private key and other users can read it.
- With a keyring (a stand-in module here: `keyring` is optional), `c2q-tui config --store-key` keeps a
  profile's key there and the profile finds it; without one, the command says so in one line.
"""

from __future__ import annotations

import io
import logging
import os
import stat
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from c2q_tui import api, paths, secrets
from c2q_tui.cli import main
from c2q_tui.config import ConfigError, resolve
from c2q_tui.local.settings import KeySpec
from tests.reliability.conftest import PRIVATE, PUBLIC, Env

CLOUD = f"""
default = "cloud"

[profiles.cloud]
base_url = "http://127.0.0.1:9/api/v1beta/app/chat2query-x/endpoint"
public_key = "{PUBLIC}"
private_key = "{PRIVATE}"
cluster_id = "1"
database = "db"
"""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- files -------------------------------------------------------------------------------------------


def test_write_private_creates_0600_and_replaces_atomically(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # a permissive umask must not matter
    try:
        path = tmp_path / "new" / "config.toml"
        secrets.write_private(path, CLOUD)
        assert _mode(path) == 0o600 and path.read_text() == CLOUD
        path.chmod(0o644)
        secrets.write_private(path, "x = 1\n")
        assert _mode(path) == 0o600 and path.read_text() == "x = 1\n"
        assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left
    finally:
        os.umask(old_umask)


def test_config_and_ask_warn_when_config_with_a_key_is_readable_by_others(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = paths.config_file()
    path.write_text(CLOUD)
    path.chmod(0o644)
    assert main(["config"]) == 0
    out, err = capsys.readouterr()
    assert f"chmod 600 {path}" in err and "other users can read it (mode 644)" in err
    assert PRIVATE not in out + err

    assert main(["ask", "how many users are there", "--format", "json"]) == 1  # nothing listens on :9
    out, err = capsys.readouterr()
    assert f"chmod 600 {path}" in err and "network error" in err
    assert PRIVATE not in out + err

    path.chmod(0o600)
    main(["config"])
    assert "chmod" not in capsys.readouterr().err
    path.write_text(CLOUD.replace(f'private_key = "{PRIVATE}"', 'private_key_env = "MY_KEY"'))
    path.chmod(0o644)  # no secret inside: nothing to warn about
    assert secrets.config_permission_warning(path) is None


# -- never shown ---------------------------------------------------------------------------------------


def test_private_keys_are_secret_everywhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("C2Q_BASE_URL", "http://127.0.0.1:9/api/v1beta/app/chat2query-x/endpoint")
    monkeypatch.setenv("C2Q_PUBLIC_KEY", PUBLIC)
    monkeypatch.setenv("C2Q_PRIVATE_KEY", PRIVATE)
    monkeypatch.setenv("C2Q_CLUSTER_ID", "1")
    monkeypatch.setenv("C2Q_DATABASE", "db")
    resolved = resolve()
    assert resolved.profile.secret().get_secret_value() == PRIVATE
    client = api.Chat2QueryClient(resolved.profile.endpoint(), public_key=PUBLIC, private_key=PRIVATE)
    key = KeySpec(public_key=PUBLIC, private_key=SecretStr(PRIVATE))
    for thing in (resolved, resolved.profile, client, key, key.model_dump(), resolved.profile.model_dump()):
        assert PRIVATE not in repr(thing) and PRIVATE not in str(thing)
    assert main(["config"]) == 0
    out, err = capsys.readouterr()
    assert "private_key" in out and "********" in out and PRIVATE not in out + err
    # a bad value elsewhere in the profile: the error names the field, not the secret
    monkeypatch.setenv("C2Q_AUTH", "bearer")
    with pytest.raises(ConfigError) as bad:
        resolve()
    assert "auth" in str(bad.value) and PRIVATE not in str(bad.value)


async def test_failures_never_show_the_key_in_errors_or_logs(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    wrong = PRIVATE[::-1]
    errors: list[BaseException] = []
    for auth in ("digest", "basic"):
        client = api.Chat2QueryClient(
            env.client.base_url, public_key=PUBLIC, private_key=wrong, auth=auth,  # type: ignore[arg-type]
            transport=httpx.ASGITransport(app=env.app),
        )  # fmt: skip
        async with client:
            with pytest.raises(api.AuthError) as refused:
                await client.list_sessions()
            errors.append(refused.value)
    async with api.Chat2QueryClient(
        "http://127.0.0.1:9/api/v1beta/app/x/endpoint", public_key=PUBLIC, private_key=PRIVATE
    ) as nowhere:
        with pytest.raises(api.NetworkError) as unreachable:
            await nowhere.list_sessions()
        errors.append(unreachable.value)
    for error in errors:
        text = f"{error} {error!r} {error.__dict__} {error.__cause__!r}"
        assert PRIVATE not in text and wrong not in text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert PRIVATE not in logged and wrong not in logged


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connection-refused retries would wait up to a second each; nothing here needs the wait."""
    monkeypatch.setattr(api.RetryPolicy, "delay", lambda self, attempt, retry_after=None: 0.0)


@pytest.fixture
def fresh_log_handler() -> Iterator[None]:
    """`main` installs its log file handler once per process; let it install one for this C2Q_HOME."""
    root = logging.getLogger()
    before = [h for h in root.handlers if getattr(h, "c2q", False)]
    for handler in before:
        root.removeHandler(handler)
    yield
    for handler in [h for h in root.handlers if getattr(h, "c2q", False)]:
        root.removeHandler(handler)
        handler.close()
    for handler in before:
        root.addHandler(handler)


@pytest.mark.usefixtures("fresh_log_handler")
def test_the_log_file_of_a_failed_ask_holds_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2Q_DEBUG", "1")
    monkeypatch.setenv("C2Q_BASE_URL", "http://127.0.0.1:9/api/v1beta/app/chat2query-x/endpoint")
    monkeypatch.setenv("C2Q_PUBLIC_KEY", PUBLIC)
    monkeypatch.setenv("C2Q_PRIVATE_KEY", PRIVATE)
    monkeypatch.setenv("C2Q_CLUSTER_ID", "1")
    monkeypatch.setenv("C2Q_DATABASE", "db")
    assert main(["ask", "how many users are there"]) == 1
    text = paths.log_file().read_text(encoding="utf-8")
    assert "ask failed" in text and PRIVATE not in text


# -- the OS keyring ----------------------------------------------------------------------------------


class FakeBackend:
    priority = 5
    name = "fake keyring"

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}


@pytest.fixture
def fake_keyring(monkeypatch: pytest.MonkeyPatch) -> FakeBackend:
    """A stand-in for the optional `keyring` package with a working backend."""
    backend = FakeBackend()
    module = types.ModuleType("keyring")
    module.get_keyring = lambda: backend  # type: ignore[attr-defined]
    module.get_password = lambda service, user: backend.store.get((service, user))  # type: ignore[attr-defined]

    def set_password(service: str, user: str, value: str) -> None:
        backend.store[(service, user)] = value

    def delete_password(service: str, user: str) -> None:
        del backend.store[(service, user)]

    module.set_password = set_password  # type: ignore[attr-defined]
    module.delete_password = delete_password  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", module)
    return backend


def test_store_key_puts_it_in_the_keyring_and_the_profile_finds_it(
    fake_keyring: FakeBackend, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = paths.config_file()
    secrets.write_private(path, CLOUD.replace(f'private_key = "{PRIVATE}"\n', ""))
    with pytest.raises(ConfigError, match="--store-key"):
        resolve().profile.secret()
    monkeypatch.setattr(sys, "stdin", io.StringIO(PRIVATE + "\n"))
    assert main(["config", "--store-key"]) == 0
    out, err = capsys.readouterr()
    assert "stored the private key of profile 'cloud'" in out and PRIVATE not in out + err
    assert fake_keyring.store == {("c2q-tui", "profile:cloud:private_key"): PRIVATE}
    assert resolve().profile.secret().get_secret_value() == PRIVATE
    assert main(["config"]) == 0
    out, err = capsys.readouterr()
    assert "OS keyring" in out and PRIVATE not in out + err and "warning" not in err
    assert secrets.delete_secret(secrets.profile_entry("cloud"))
    assert secrets.get_secret(secrets.profile_entry("cloud")) is None


def test_without_a_usable_keyring_store_key_fails_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = types.ModuleType("keyring")

    class Fail:
        priority = 0  # keyring's `fail` backend: no real store on this machine

    broken.get_keyring = Fail  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", broken)
    assert not secrets.keyring_available()
    assert secrets.get_secret("anything") is None and not secrets.delete_secret("anything")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PRIVATE + "\n"))
    assert main(["config", "--store-key"]) == 1
    out, err = capsys.readouterr()
    assert "no OS keyring is available" in err and err.count("\n") == 1 and PRIVATE not in out + err
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed at all
    assert not secrets.keyring_available()


# -- LLM keys and the served backend -------------------------------------------------------------------

LLM_KEY = "sk-llm-secret-do-not-show-0123456789"


def test_llm_keys_are_secret_in_engines_and_their_errors(
    monkeypatch: pytest.MonkeyPatch, shop_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from c2q_tui.local.database import Database
    from c2q_tui.local.engines import create_engine
    from c2q_tui.local.engines.base import EngineContext, EngineError
    from tests.reliability.conftest import settings_for

    caplog.set_level("DEBUG")
    monkeypatch.setenv("C2Q_LLM_API_KEY", LLM_KEY)
    settings = settings_for(shop_root, engine="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    engine = create_engine("openai", settings)
    assert LLM_KEY not in repr(engine) and LLM_KEY not in str(vars(engine))
    db = Database(f"sqlite:///{shop_root / 'shop.sqlite3'}")
    try:
        with pytest.raises(EngineError) as failed:
            engine.answer("how many users are there", EngineContext(db=db, schema=db.schema()), "direct")
    finally:
        db.dispose()
    assert LLM_KEY not in f"{failed.value} {failed.value!r}"
    assert all(LLM_KEY not in r.getMessage() for r in caplog.records)


def test_serve_binds_to_loopback_unless_told_and_never_with_the_generated_key_elsewhere(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from c2q_tui.cli import build_parser
    from c2q_tui.local.serve import is_loopback

    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.10", "example.com", ""))
    for host in ("0.0.0.0", "::", "192.168.1.10"):
        assert main(["serve", "--host", host, "--port", "0"]) == 2
        err = capsys.readouterr().err
        assert f"refusing to listen on {host}" in err and "--key" in err
