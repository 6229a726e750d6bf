"""Authentication (Digest and Basic) and role enforcement."""

from __future__ import annotations

import asyncio
import hashlib
import time

import httpx

from c2q_tui.local.auth import parse_digest
from tests.local.conftest import ADMIN, PREFIX, Harness, MakeHarness, ScriptedEngine, key
from tests.local.databases import count_rows, on_both


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def digest_header(challenge: str, user: str, password: str, method: str, uri: str, nc: int) -> str:
    p = parse_digest(challenge)
    ha1 = _md5(f"{user}:{p['realm']}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    nc_text = f"{nc:08x}"
    response = _md5(f"{ha1}:{p['nonce']}:{nc_text}:abcdef:auth:{ha2}")
    return (
        f'Digest username="{user}", realm="{p["realm"]}", nonce="{p["nonce"]}", uri="{uri}", '
        f'response="{response}", algorithm=MD5, qop=auth, nc={nc_text}, cnonce="abcdef"'
    )


def assert_auth_failed(r: httpx.Response, code: int = 401) -> None:
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Digest ")
    assert 'qop="auth"' in r.headers["www-authenticate"]
    body = r.json()
    assert body["type"] == "" and body["data"]["columns"] == [] and body["data"]["rows"] == []
    assert body["data"]["result"]["code"] == code


async def test_missing_and_bad_keys(harness: Harness) -> None:
    h = harness
    r = await h.with_auth(None).get("/v3/sessions")
    assert_auth_failed(r)
    assert r.json()["data"]["result"]["message"] == "auth failed"
    assert "x-ratelimit-limit-minute" in r.headers
    r = await h.with_auth(httpx.DigestAuth(ADMIN[0], "wrong")).get("/v3/sessions")
    assert_auth_failed(r)
    r = await h.with_auth(httpx.DigestAuth("NOBODY", ADMIN[1])).get("/v3/sessions")
    assert_auth_failed(r)
    r = await h.with_auth(httpx.BasicAuth(ADMIN[0], "wrong")).get("/v3/sessions")
    assert_auth_failed(r)


async def test_basic_auth(harness: Harness) -> None:
    r = await harness.with_auth(httpx.BasicAuth(*ADMIN)).get("/v3/sessions")
    assert r.status_code == 200 and r.json()["code"] == 200


async def test_expired_key(make_harness: MakeHarness) -> None:
    h = await make_harness(
        keys=[key("OLD", "old-secret", expires_at=time.time() - 5)],
        auth=httpx.DigestAuth("OLD", "old-secret"),
    )
    r = await h.client.get("/v3/sessions")
    assert_auth_failed(r, 49900002)
    assert r.json()["data"]["result"]["message"] == "API Key is no longer valid"


async def test_stale_nonce_is_rechallenged_and_httpx_recovers(make_harness: MakeHarness) -> None:
    h = await make_harness(nonce_ttl=60)
    seen: list[httpx.Response] = []

    async def record(response: httpx.Response) -> None:
        seen.append(response)

    client = h.with_auth(httpx.DigestAuth(*ADMIN))
    client.event_hooks["response"] = [record]
    assert (await client.get("/v3/sessions")).status_code == 200
    assert [r.status_code for r in seen] == [401, 200]  # the first challenge
    later = time.time() + 120
    h.backend.auth.clock = lambda: later  # the nonce has expired
    seen.clear()
    r = await client.get("/v3/sessions")
    assert r.status_code == 200
    assert [x.status_code for x in seen] == [401, 200]
    assert "stale=true" in seen[0].headers["www-authenticate"]


async def test_replayed_nonce_count_and_wrong_uri_are_refused(harness: Harness) -> None:
    h = harness
    raw = h.with_auth(None)
    challenge = (await raw.get("/v3/sessions")).headers["www-authenticate"]
    uri = f"{PREFIX}/v3/sessions"
    header = digest_header(challenge, *ADMIN, "GET", uri, nc=1)
    assert (await raw.get("/v3/sessions", headers={"Authorization": header})).status_code == 200
    replay = await raw.get("/v3/sessions", headers={"Authorization": header})
    assert_auth_failed(replay)
    assert "stale" not in replay.headers["www-authenticate"]
    # a later nc on the same nonce works; one signed for another path does not
    later = digest_header(challenge, *ADMIN, "GET", uri, nc=5)
    assert (await raw.get("/v3/sessions", headers={"Authorization": later})).status_code == 200
    other = digest_header(challenge, *ADMIN, "GET", f"{PREFIX}/v3/dataSummaries", nc=6)
    assert_auth_failed(await raw.get("/v3/sessions", headers={"Authorization": other}))
    # an nc out of order (but unseen and recent) is accepted: httpx sends those when concurrent
    older = digest_header(challenge, *ADMIN, "GET", uri, nc=3)
    assert (await raw.get("/v3/sessions", headers={"Authorization": older})).status_code == 200


async def test_other_app_id_is_not_found_before_auth(harness: Harness) -> None:
    raw = harness.with_auth(None)
    r = await raw.get("http://c2q-test/api/v1beta/app/chat2query-other/endpoint/v3/sessions")
    assert r.status_code == 404 and r.json()["data"]["result"]["message"] == "endpoint not found"


ROLE_KEYS = [
    key("SUMMARY", "s-secret", "summary"),
    key("READONLY", "ro-secret", "readonly"),
    key("READWRITE", "rw-secret", "readwrite"),
    key(*ADMIN),
]


async def test_summary_role(make_harness: MakeHarness, scripted: ScriptedEngine) -> None:
    h = await make_harness(engine=scripted, keys=ROLE_KEYS, auth=httpx.DigestAuth("SUMMARY", "s-secret"))
    summary_id = await h.summary()  # allowed: data summaries and their jobs
    r = await h.client.put(f"/v3/dataSummaries/{summary_id}/tables/users", json={"description": "x"})
    assert r.status_code == 200
    body = {"cluster_id": h.cluster_id, "database": "shop", "question": "count the users"}
    for method, path, payload in [
        ("POST", "/v3/chat2data", body),
        ("POST", "/v1/chat2data", {**body, "instruction": "count the users"}),
        ("POST", "/chat2data", {**body, "instruction": "count the users"}),
        ("POST", "/v3/sessions", body),
        ("GET", "/v3/sessions", None),
        ("POST", "/v3/refineSql", {**body, "sql": "SELECT 1", "feedback": "x"}),
        ("POST", "/v3/suggestQuestions", body),
        ("POST", "/v2/chat2data", {"data_summary_id": summary_id, "raw_question": "q"}),
    ]:
        r = await h.client.request(method, path, json=payload)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["data"]["result"]["code"] == 403
        assert "Data Summary Management" in r.json()["data"]["result"]["message"]
    # nor can it read the jobs of questions
    admin = h.with_auth(httpx.DigestAuth(*ADMIN))
    scripted.on("count the users", "SELECT COUNT(*) FROM users")
    r = await admin.post("/v3/chat2data", json=body)
    r = await h.client.get(f"/v2/jobs/{r.json()['result']['job_id']}")
    assert r.status_code == 403


@on_both
async def test_readonly_cannot_write_readwrite_can(
    make_harness: MakeHarness, scripted: ScriptedEngine, shop_url: str
) -> None:
    h = await make_harness(engine=scripted, keys=ROLE_KEYS)
    await h.summary()
    scripted.on("remove cy", "DELETE FROM users WHERE user_id = 3")
    readonly = h.with_auth(httpx.DigestAuth("READONLY", "ro-secret"))
    r = await readonly.post(
        "/v3/chat2data", json={"cluster_id": h.cluster_id, "database": "shop", "question": "remove cy"}
    )
    job = await h.poll(r.json()["result"]["job_id"], client=readonly)
    assert job["status"] == "done"
    assert "not allowed" in job["result"]["sql_error"]
    assert job["result"]["data"] == {"columns": [], "rows": []}
    assert count_rows(shop_url, "users") == 3

    readwrite = h.with_auth(httpx.DigestAuth("READWRITE", "rw-secret"))
    r = await readwrite.post(
        "/v3/chat2data", json={"cluster_id": h.cluster_id, "database": "shop", "question": "remove cy"}
    )
    job = await h.poll(r.json()["result"]["job_id"], client=readwrite)
    assert job["status"] == "done" and job["result"]["sql_error"] is None
    assert count_rows(shop_url, "users") == 2
    # read-only keys may read summaries, but not manage them
    assert (await readonly.get("/v3/dataSummaries")).status_code == 200
    r = await readonly.post("/v3/dataSummaries", json={"cluster_id": h.cluster_id, "database": "shop"})
    assert r.status_code == 403


async def test_a_fresh_digest_client_can_start_concurrently(harness: Harness) -> None:
    client = harness.with_auth(httpx.DigestAuth(*ADMIN))  # no challenge seen yet: every request gets one
    replies = await asyncio.gather(*(client.get("/v3/sessions") for _ in range(20)))
    assert [r.status_code for r in replies] == [200] * 20
    replies = await asyncio.gather(*(client.get("/v3/sessions") for _ in range(50)))
    assert [r.status_code for r in replies] == [200] * 50
