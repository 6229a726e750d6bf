"""Error envelopes: not found, unknown path, wrong method, param checks, other cluster or database,
and the catch-all 500."""

from __future__ import annotations

import pytest

from c2q_tui.local import datasummaries
from tests.local.conftest import Harness

DS_RESULT_KEYS = {"code", "message", "start_ms", "end_ms", "latency", "row_count", "row_affect", "limit"}


async def test_missing_resources_are_404_in_the_chat2query_envelope(harness: Harness) -> None:
    h = harness
    for path, what in [
        ("/v2/jobs/0123456789abcdef0123456789abcdef", "job 0123456789abcdef0123456789abcdef"),
        ("/v3/sessions/31337", "session 31337"),
        ("/v3/dataSummaries/31337", "data summary 31337"),
        ("/v2/dataSummaries/31337", "data summary 31337"),
        ("/v3/knowledgeBases/31337", "knowledge base 31337"),
    ]:
        r = await h.client.get(path)
        assert r.status_code == 404
        assert r.json() == {"code": 404, "msg": f"{what} not found", "result": {}}


async def test_unknown_path_and_wrong_method(harness: Harness) -> None:
    h = harness
    r = await h.client.get("/v3/unknown")
    assert r.status_code == 404
    assert r.json()["type"] == "" and set(r.json()["data"]["result"]) == DS_RESULT_KEYS
    assert r.json()["data"]["result"]["message"] == "endpoint not found"
    r = await h.client.get("/v3/sessions/")  # no redirect: not a route
    assert r.status_code == 404
    r = await h.client.patch("/v3/sessions")
    assert r.status_code == 405
    assert r.json()["data"]["result"] == {
        **r.json()["data"]["result"],
        "code": 405,
        "message": "method not allowed",
    }
    assert r.headers["allow"] == "GET, POST"


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "a JSON object body is required"),
        (b"{nope", "the body is not valid JSON"),
        (b"[1, 2]", "the body must be a JSON object, not list"),
        (
            b'{"cluster_id": "1", "database": "shop", "question": 7}',
            "question: Input should be a valid string",
        ),
        (b'{"database": "shop"}', "question: Field required"),
        (
            b'{"database": "shop", "question": "q", "sql_generate_mode": "wild"}',
            "sql_generate_mode: Input should be",
        ),
    ],
)
async def test_param_check_failed(harness: Harness, content: bytes, detail: str) -> None:
    r = await harness.client.post("/v3/chat2data", content=content)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == 400 and body["result"] == {}
    assert body["msg"].startswith(f"param check failed! {detail}"), body["msg"]


async def test_bad_path_parameter_is_a_param_error(harness: Harness) -> None:
    r = await harness.client.get("/v3/sessions/abc")
    assert r.status_code == 400
    assert r.json()["msg"].startswith("param check failed! session_id in the path:")


async def test_form_encoded_json_is_accepted(harness: Harness) -> None:
    # curl -d without a content type sends application/x-www-form-urlencoded
    h = harness
    body = f'{{"cluster_id": "{h.cluster_id}", "database": "shop", "name": "s"}}'.encode()
    r = await h.client.post(
        "/v3/sessions", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 200, r.text


async def test_other_cluster_or_database_is_400(harness: Harness) -> None:
    h = harness
    r = await h.client.post("/v3/sessions", json={"cluster_id": "1234567890123456789", "database": "shop"})
    assert r.status_code == 400
    assert r.json() == {
        "code": 400,
        "msg": f"cluster 1234567890123456789 is not served by this backend; it serves cluster {h.cluster_id}",
        "result": {},
    }
    r = await h.client.post("/v3/dataSummaries", json={"cluster_id": h.cluster_id, "database": "finance"})
    assert r.status_code == 400
    assert r.json()["msg"] == "database 'finance' is not served by this backend; it serves: shop"
    r = await h.client.post(
        "/v1/chat2data", json={"cluster_id": h.cluster_id, "database": "finance", "instruction": "q"}
    )
    assert r.status_code == 400
    assert r.json()["type"] == "chat2data_endpoint" and r.json()["data"]["result"]["code"] == 400


async def test_crash_is_a_500_envelope_without_traceback(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*_args: object, **_kw: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(datasummaries, "list_rows", boom)
    r = await harness.client.get("/v3/dataSummaries")
    assert r.status_code == 500
    body = r.json()
    assert body["code"] == 500 and body["msg"].startswith("internal error! see the server log (ref ")
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "x-ratelimit-remaining-minute" in r.headers
    assert "secret internals" in caplog.text  # the traceback went to the log


async def test_ids_too_large_for_sqlite_are_not_found(harness: Harness) -> None:
    huge = 10**30
    for path in (f"/v3/sessions/{huge}", f"/v3/dataSummaries/{huge}", f"/v3/knowledgeBases/{huge}/data"):
        r = await harness.client.get(path)
        assert r.status_code == 404, (path, r.text)
    r = await harness.client.post("/v2/chat2data", json={"data_summary_id": huge, "raw_question": "q"})
    assert r.status_code == 404
