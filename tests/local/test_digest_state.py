"""Digest state kept between requests: the nonce-count window (pruned lazily) and the per-key HA1."""

from __future__ import annotations

import hashlib

import pytest

from c2q_tui.local.auth import NC_WINDOW, Authenticator, AuthFailed, parse_digest
from tests.local.conftest import key

URI = "/api/v1beta/app/chat2query-local/endpoint/v2/jobs/00"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def signed(nonce: str, nc: int, user: str = "PUB", password: str = "secret") -> str:
    ha1 = _md5(f"{user}:c2q-local:{password}")
    nc_text = f"{nc:08x}"
    response = _md5(f"{ha1}:{nonce}:{nc_text}:cafe:auth:{_md5(f'GET:{URI}')}")
    return (
        f'Digest username="{user}", realm="c2q-local", nonce="{nonce}", uri="{URI}", '
        f'response="{response}", qop=auth, nc={nc_text}, cnonce="cafe", algorithm=MD5'
    )


def test_the_nonce_count_window_over_many_requests() -> None:
    auth = Authenticator([key("PUB", "secret")])
    nonce = parse_digest(auth.challenge())["nonce"]
    for nc in range(1, 3 * NC_WINDOW + 50, 2):  # odd counts only: the even ones stay unused
        auth.authenticate("GET", URI, signed(nonce, nc))
    highest = 3 * NC_WINDOW + 49
    for nc in (highest, highest - 2, highest - NC_WINDOW + 2):  # used: replays are refused
        with pytest.raises(AuthFailed, match="nonce count reused"):
            auth.authenticate("GET", URI, signed(nonce, nc))
    auth.authenticate("GET", URI, signed(nonce, highest - 1))  # unused and inside the window: once
    with pytest.raises(AuthFailed):
        auth.authenticate("GET", URI, signed(nonce, highest - 1))
    for nc in (highest - NC_WINDOW, 1, 2):  # at or below the window: refused, used or not
        with pytest.raises(AuthFailed, match="nonce count reused"):
            auth.authenticate("GET", URI, signed(nonce, nc))


def test_a_replaced_key_is_checked_against_its_new_secret() -> None:
    auth = Authenticator([key("PUB", "secret")])
    nonce = parse_digest(auth.challenge())["nonce"]
    assert auth.authenticate("GET", URI, signed(nonce, 1)).public_key == "PUB"
    auth.keys["PUB"] = key("PUB", "rotated")
    with pytest.raises(AuthFailed):
        auth.authenticate("GET", URI, signed(nonce, 2))
    assert auth.authenticate("GET", URI, signed(nonce, 3, password="rotated")).public_key == "PUB"


def test_quoted_values_with_escapes() -> None:
    header = r'Digest username="a\"b", realm="c2q-local", uri="/x?a=1,b=2", nc=00000001, qop=auth'
    assert parse_digest(header) == {
        "username": 'a"b',
        "realm": "c2q-local",
        "uri": "/x?a=1,b=2",
        "nc": "00000001",
        "qop": "auth",
    }
