from __future__ import annotations

from pathlib import Path

import pytest

from c2q_tui import paths
from c2q_tui.cli import main
from c2q_tui.config import ConfigError, describe, resolve

CLOUD = """
default = "cloud"

[profiles.cloud]
region = "eu-central-1"
app_id = "chat2query-YqAvnlRj"
public_key = "PUBKEY01"
private_key = "s3cr3t-private-key"
cluster_id = "10140100115280519574"
database = "sp500insight"

[profiles.shop]
database_url = "sqlite:////tmp/shop.db"
"""


def write_config(text: str) -> Path:
    path = paths.config_file()
    path.write_text(text)
    return path


def test_no_configuration_means_the_sample_on_the_embedded_backend() -> None:
    r = resolve(env={})
    assert r.profile.name == "sample"
    assert r.profile.kind == "local"
    assert r.profile.database_url is None
    assert r.sources["name"] == "default"
    assert not r.config_exists


def test_c2q_home_holds_every_file(c2q_home: Path) -> None:
    assert paths.config_file().is_relative_to(c2q_home)
    assert paths.history_db().is_relative_to(c2q_home)
    assert paths.sample_db().is_relative_to(c2q_home)


def test_profile_from_file_with_region_and_app_id() -> None:
    write_config(CLOUD)
    r = resolve(env={})
    p = r.profile
    assert (p.name, p.kind) == ("cloud", "tidbcloud")
    assert p.endpoint() == "https://eu-central-1.data.tidbcloud.com/api/v1beta/app/chat2query-YqAvnlRj/endpoint"
    assert p.secret().get_secret_value() == "s3cr3t-private-key"
    assert r.sources["public_key"] == "config.toml"
    assert r.profile_names == ["cloud", "shop"]
    p.check()


def test_env_overrides_file_and_flags_override_env() -> None:
    write_config(CLOUD)
    env = {"C2Q_PROFILE": "cloud", "C2Q_DATABASE": "other", "C2Q_AUTH": "basic"}
    r = resolve(env=env)
    assert r.profile.database == "other"
    assert r.profile.auth == "basic"
    assert r.sources["database"] == "env C2Q_DATABASE"
    r = resolve("shop", env=env)
    assert r.profile.name == "shop"
    assert r.profile.kind == "local"
    assert r.sources["name"] == "--profile"


def test_base_url_in_env_defines_the_active_cloud_profile() -> None:
    env = {
        "C2Q_BASE_URL": "https://us-west-2.data.tidbcloud.com/api/v1beta/app/chat2query-X/endpoint/",
        "C2Q_PUBLIC_KEY": "PUB",
        "C2Q_PRIVATE_KEY": "PRIV",
        "C2Q_CLUSTER_ID": "1",
        "C2Q_DATABASE": "db",
    }
    r = resolve(env=env)
    assert r.profile.kind == "tidbcloud"
    assert r.profile.endpoint().endswith("/chat2query-X/endpoint")
    assert r.sources["base_url"] == "env C2Q_BASE_URL"
    r.profile.check()


def test_database_url_flag_and_env_make_a_local_profile() -> None:
    r = resolve(env={"C2Q_DATABASE_URL": "sqlite:////tmp/a.db"})
    assert (r.profile.kind, r.profile.database_url) == ("local", "sqlite:////tmp/a.db")
    r = resolve(database_url="sqlite:////tmp/b.db", env={"C2Q_DATABASE_URL": "sqlite:////tmp/a.db"})
    assert r.profile.database_url == "sqlite:////tmp/b.db"
    assert r.sources["database_url"] == "--database-url"


def test_private_key_from_named_env_var() -> None:
    write_config(CLOUD.replace('private_key = "s3cr3t-private-key"', 'private_key_env = "MY_KEY"'))
    assert resolve(env={}).profile.private_key is None
    with pytest.raises(ConfigError, match="MY_KEY"):
        resolve(env={}).profile.secret()
    assert resolve(env={}).profile.private_key_env == "MY_KEY"


def test_clear_errors() -> None:
    with pytest.raises(ConfigError, match="no profile named 'nope'"):
        resolve("nope", env={})
    write_config("default = [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        resolve(env={})
    write_config('[profiles.x]\nregion = "us-east-1"\nauth = "bearer"\n')
    with pytest.raises(ConfigError, match="auth"):
        resolve("x", env={})
    write_config('[profiles.x]\nregion = "us-east-1"\n')
    with pytest.raises(ConfigError, match="base_url, or region and app_id"):
        resolve("x", env={}).profile.check()


def test_describe_redacts_secrets() -> None:
    write_config(CLOUD.replace('database = "sp500insight"', 'database_url = "mysql+pymysql://u:dbpass@h/d"'))
    rows = describe(resolve(env={}))
    text = repr(rows)
    assert "s3cr3t-private-key" not in text
    assert "dbpass" not in text
    assert ("private_key", "********", "config.toml") in rows


def test_config_command_prints_sources_and_no_secret(capsys: pytest.CaptureFixture[str]) -> None:
    write_config(CLOUD)
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "cloud [tidbcloud]" in out
    assert "s3cr3t-private-key" not in out
    assert "(config.toml)" in out
    assert "PUBKEY01" in out


def test_config_command_reports_a_bad_file_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    write_config("default = [")
    assert main(["config"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("c2q-tui: configuration error:") and "\n" not in err
