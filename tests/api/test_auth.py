"""Digest auth against a real RFC 7616 challenge (MD5, qop=auth), and Basic auth."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from c2q_tui.api import AuthError, Chat2QueryClient, RetryPolicy
from tests.api.conftest import BASE, PREFIX, PRIVATE_KEY, PUBLIC_KEY

REALM = "tidb.cloud"

Scope = dict[str, Any]


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@dataclass
class DigestApp:
    """A tiny ASGI app that demands Digest auth and checks the response hash of every request."""

    users: dict[str, str]
    challenges: int = 0
    nonces: set[str] = field(default_factory=set)
    seen_nc: list[int] = field(default_factory=list)
    authorised: int = 0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        auth = headers.get("authorization", "")
        if self._valid(scope, auth):
            self.authorised += 1
            body = json.dumps(
                {"code": 200, "msg": "", "result": {"job_id": "j", "status": "running"}}
            ).encode()
            await self._reply(send, 200, body, [])
            return
        self.challenges += 1
        await asyncio.sleep(0.001)  # let concurrent requests overlap, as over a network
        nonce = secrets.token_hex(16)
        self.nonces.add(nonce)
        challenge = f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{nonce}", opaque="op"'
        body = json.dumps(
            {
                "type": "",
                "data": {"columns": [], "rows": [], "result": {"code": 401, "message": "auth failed"}},
            }
        ).encode()
        await self._reply(send, 401, body, [(b"www-authenticate", challenge.encode())])

    def _valid(self, scope: Scope, header: str) -> bool:
        if not header.startswith("Digest "):
            return False
        fields = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', header[7:])}
        user, nonce = fields.get("username"), fields.get("nonce")
        if user not in self.users or nonce not in self.nonces or fields.get("qop") != "auth":
            return False
        uri = scope["path"] + (("?" + scope["query_string"].decode()) if scope["query_string"] else "")
        if fields.get("uri") != uri:
            return False
        ha1 = _md5(f"{user}:{REALM}:{self.users[user]}")
        ha2 = _md5(f"{scope['method']}:{uri}")
        expected = _md5(f"{ha1}:{nonce}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        if fields.get("response") != expected:
            return False
        self.seen_nc.append(int(fields["nc"], 16))
        return True

    @staticmethod
    async def _reply(send: Any, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
        headers = [(b"content-type", b"application/json"), *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _client(app: Any, *, private_key: str = PRIVATE_KEY, auth: Any = "digest") -> Chat2QueryClient:
    return Chat2QueryClient(
        BASE,
        public_key=PUBLIC_KEY,
        private_key=private_key,
        auth=auth,
        transport=httpx.ASGITransport(app=app),
        retry=RetryPolicy(attempts=1),
    )


async def test_digest_challenge_happens_once_for_many_requests() -> None:
    app = DigestApp({PUBLIC_KEY: PRIVATE_KEY})
    async with _client(app) as client:
        for _ in range(5):
            job = await client.get_job("j")
            assert job.status == "running"
        await client.chat2data("q", cluster_id="1", database="d")
    assert app.challenges == 1  # the nonce is reused: one AsyncClient, one DigestAuth
    assert app.authorised == 6
    assert app.seen_nc == [1, 2, 3, 4, 5, 6]
    assert client.requests_sent == 6  # the challenge round trip is not a quota request


async def test_concurrent_first_requests_share_one_challenge() -> None:
    app = DigestApp({PUBLIC_KEY: PRIVATE_KEY})
    async with _client(app) as client:
        jobs = await asyncio.gather(*(client.get_job("j") for _ in range(8)))
    assert len(jobs) == 8 and app.challenges == 1 and app.authorised == 8


async def test_digest_with_a_wrong_key_is_an_auth_error() -> None:
    app = DigestApp({PUBLIC_KEY: PRIVATE_KEY})
    async with _client(app, private_key="wrong") as client:
        with pytest.raises(AuthError, match="auth failed") as caught:
            await client.get_job("j")
    assert caught.value.status == 401 and "wrong" not in str(caught.value)


async def test_basic_auth_header() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        assert request.url.path == PREFIX + "/v2/jobs/j"
        return httpx.Response(200, json={"code": 200, "msg": "", "result": {"job_id": "j", "status": "done"}})

    async with Chat2QueryClient(
        BASE,
        public_key=PUBLIC_KEY,
        private_key=SecretStr(PRIVATE_KEY),
        auth="basic",
        transport=httpx.MockTransport(handler),
    ) as client:
        await client.get_job("j")
    assert seen == ["Basic " + base64.b64encode(f"{PUBLIC_KEY}:{PRIVATE_KEY}".encode()).decode()]


def test_repr_and_errors_hide_the_private_key() -> None:
    client = Chat2QueryClient(
        region="us-west-2", app_id="chat2query-UfpVDXbp", public_key="pub", private_key="TOPSECRET"
    )
    assert (
        client.base_url == "https://us-west-2.data.tidbcloud.com/api/v1beta/app/chat2query-UfpVDXbp/endpoint"
    )
    assert "TOPSECRET" not in repr(client) and "TOPSECRET" not in str(vars(client).get("_private_key"))


def test_base_url_needs_region_and_app_id() -> None:
    with pytest.raises(ValueError, match="base_url"):
        Chat2QueryClient(public_key="p", private_key="k", region="us-east-1")
    with pytest.raises(ValueError, match="region"):
        Chat2QueryClient(public_key="p", private_key="k", region="https://evil/", app_id="x")
