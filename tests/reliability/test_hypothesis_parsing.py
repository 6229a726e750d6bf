"""Property tests of everything that parses untrusted input, on both sides of the wire.

Backend: request bodies, Digest/Basic `Authorization` headers, and whole raw requests through the
gateway (any method, path, header and body) only ever give a documented error envelope, never a 500
and never an unexpected exception. A signed Digest request cannot be replayed.
Client: any status, headers and body a server (or a proxy) may send decode to a result or to one
typed `Chat2QueryError` with a one-line message; rate-limit headers and job payloads of any shape
never crash the client. The SQL guard classifies any text or refuses it with its own error.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from c2q_tui.api import Chat2QueryError, RateLimitInfo
from c2q_tui.api.envelope import decode_response
from c2q_tui.api.errors import BadResponse
from c2q_tui.api.models_jobs import Job, parse_job_result
from c2q_tui.local import bodies, sqlguard
from c2q_tui.local.app import create_app
from c2q_tui.local.auth import Authenticator, AuthFailed, parse_digest
from c2q_tui.local.envelopes import ParamError
from tests.reliability.conftest import PREFIX, PRIVATE, PUBLIC, admin_key, settings_for
from tests.reliability.test_schemathesis import envelope_problem

SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
BODY_MODELS = [
    bodies.DataSummaryCreate, bodies.DataSummaryEdit, bodies.DataSummaryV2Edit, bodies.TableEdit,
    bodies.KnowledgeBaseCreate, bodies.KnowledgeBaseEdit, bodies.KnowledgeDataWrite, bodies.KnowledgeDataEdit,
    bodies.SessionCreate, bodies.SessionRename, bodies.SessionChat, bodies.Chat2Data, bodies.RefineSql,
    bodies.SuggestQuestions, bodies.Chat2DataV2, bodies.Chat2DataV1, bodies.Target,
]  # fmt: skip


def _request(body: bytes) -> Request:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({"type": "http", "method": "POST", "path": "/", "headers": []}, receive)


# -- backend: bodies and auth headers ----------------------------------------------------------------


@SETTINGS
@given(
    model=st.sampled_from(BODY_MODELS),
    raw=st.one_of(
        st.binary(max_size=200),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.dictionaries(
            st.sampled_from(["question", "cluster_id", "database", "sql", "feedback", "tables", "raw_data",
                             "type", "name", "data_summary_id", "sql_generate_mode", "limit", "instruction"]),
            json_values,
        ).map(lambda d: json.dumps(d).encode()),
    ),
)  # fmt: skip
@example(model=bodies.Chat2Data, raw=b'{"question": "\\ud800"}')
@example(model=bodies.Chat2Data, raw=b"\xff\xfe{}")
@example(model=bodies.Chat2DataV2, raw=b'{"data_summary_id": 1e400, "raw_question": "q"}')
def test_a_body_is_read_or_refused_with_param_check_failed(model: type[bodies.Body], raw: bytes) -> None:
    try:
        parsed = asyncio.run(bodies.read(_request(raw), model))
    except ParamError as e:
        assert e.status == 400 and e.msg.startswith("param check failed! ")
        assert "\n" not in e.msg
    else:
        assert isinstance(parsed, model)


@pytest.fixture
def authenticator() -> Authenticator:
    return Authenticator([admin_key()])


@SETTINGS
@given(
    header=st.one_of(
        st.none(),
        st.text(max_size=300),
        st.text(max_size=200).map(lambda t: "Digest " + t),
        st.binary(max_size=60).map(lambda b: "Basic " + base64.b64encode(b).decode()),
        st.dictionaries(
            st.sampled_from(["username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce",
                             "algorithm", "opaque"]),
            st.text(max_size=40),
        ).map(lambda d: "Digest " + ", ".join(f'{k}="{v}"' for k, v in d.items())),
    ),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    target=st.text(max_size=60),
)  # fmt: skip
def test_any_authorization_header_is_a_key_or_auth_failed(
    authenticator: Authenticator, header: str | None, method: str, target: str
) -> None:
    parse_digest(header or "")
    try:
        authenticator.authenticate(method, target, header)
    except AuthFailed as e:
        assert e.code in (401, 49900002) and e.message
    else:  # only the right secret gets in, and random text never holds it
        assert header is not None and PRIVATE in (header + _basic_decoded(header))


def _basic_decoded(header: str) -> str:
    try:
        return base64.b64decode(header.partition(" ")[2]).decode("utf-8", "replace")
    except ValueError:
        return ""


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _signed(nonce: str, uri: str, nc: int, cnonce: str, method: str = "GET") -> str:
    ha1 = _md5(f"{PUBLIC}:c2q-local:{PRIVATE}")
    ha2 = _md5(f"{method}:{uri}")
    nc_text = f"{nc:08x}"
    response = _md5(f"{ha1}:{nonce}:{nc_text}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{PUBLIC}", realm="c2q-local", nonce="{nonce}", uri="{uri}", '
        f'response="{response}", qop=auth, nc={nc_text}, cnonce="{cnonce}", algorithm=MD5'
    )


@SETTINGS
@given(
    ncs=st.lists(st.integers(min_value=1, max_value=600), min_size=1, max_size=30),
    cnonce=st.text(alphabet="abcdef0123456789", min_size=1, max_size=16),
)
def test_a_signed_digest_request_is_accepted_once_and_never_replayed(ncs: list[int], cnonce: str) -> None:
    clock = [1000.0]
    auth = Authenticator([admin_key()], nonce_ttl=60, clock=lambda: clock[0])
    nonce = parse_digest(auth.challenge())["nonce"]
    uri = f"{PREFIX}/v3/sessions"
    accepted: set[int] = set()
    highest = 0
    for nc in ncs:
        header = _signed(nonce, uri, nc, cnonce)
        fresh = nc not in accepted and nc > highest - 256
        try:
            auth.authenticate("GET", uri, header)
        except AuthFailed as e:
            assert not fresh and not e.stale, (nc, e.message)
        else:
            assert fresh, f"nc {nc} was accepted twice"
            accepted.add(nc)
            highest = max(highest, nc)
    # the same header once the nonce is stale: refused with stale=true (the client re-challenges)
    clock[0] += 61
    with pytest.raises(AuthFailed) as stale:
        auth.authenticate("GET", uri, _signed(nonce, uri, 10_000, cnonce))
    assert stale.value.stale
    # a nonce this server never issued (or issued before a restart) is stale too, never accepted
    with pytest.raises(AuthFailed) as unknown:
        auth.authenticate("GET", uri, _signed("0" * 32, uri, 1, cnonce))
    assert unknown.value.stale
    # signed for another method or path: refused, and not as stale
    fresh_nonce = parse_digest(auth.challenge())["nonce"]
    with pytest.raises(AuthFailed) as moved:
        auth.authenticate("POST", uri, _signed(fresh_nonce, uri, 1, cnonce))
    assert not moved.value.stale


# -- backend: whole raw requests through the gateway -------------------------------------------------


@pytest.fixture
def served_app(shop_root: Path) -> Iterator[tuple[Any, asyncio.AbstractEventLoop]]:
    app = create_app(settings_for(shop_root, per_minute=None))
    loop = asyncio.new_event_loop()
    try:
        yield app, loop
    finally:
        loop.run_until_complete(app.state.backend.aclose())
        loop.close()


BASIC = "Basic " + base64.b64encode(f"{PUBLIC}:{PRIVATE}".encode()).decode()
segments = st.one_of(
    st.sampled_from(["v3", "v2", "v1", "dataSummaries", "sessions", "jobs", "knowledgeBases", "data",
                     "chat2data", "refineSql", "suggestQuestions", "tables", "columns", "reset", "1", "0",
                     "-1", "99999999999999999999999", "%00", "%ff", "..", "", "x" * 300]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12).map(
        lambda t: quote(t, safe="") or "x"
    ),
)  # fmt: skip


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    parts=st.lists(segments, min_size=0, max_size=5),
    under_prefix=st.booleans(),
    auth=st.one_of(st.just(BASIC), st.none(), st.text(max_size=50)),
    body=st.one_of(st.binary(max_size=100), json_values.map(lambda v: json.dumps(v).encode())),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]),
    query=st.text(max_size=20),
)  # fmt: skip
def test_any_raw_request_gets_a_documented_envelope_and_no_500(
    served_app: tuple[Any, asyncio.AbstractEventLoop],
    method: str,
    parts: list[str],
    under_prefix: bool,
    auth: str | None,
    body: bytes,
    content_type: str,
    query: str,
) -> None:
    app, loop = served_app
    path = (PREFIX if under_prefix else "") + "/" + "/".join(parts)
    headers: dict[str, bytes] = {"content-type": content_type.encode()} if content_type else {}
    if auth is not None:
        try:
            headers["authorization"] = auth.encode("latin-1")  # what a header can carry on the wire
        except UnicodeEncodeError:
            assume(False)

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://c2q-fuzz") as client:
            url = httpx.URL("http://c2q-fuzz", params={"q": query}).copy_with(raw_path=path.encode("ascii"))
            return await client.request(method, url, content=body, headers=headers)

    response = loop.run_until_complete(send())
    assert response.status_code < 500, (method, path, response.text[:300])
    if method != "HEAD":
        problem = envelope_problem(response.status_code, response.content)
        assert problem is None, (method, path, problem)
    assert PRIVATE not in response.text


# -- client: answers of any shape --------------------------------------------------------------------

header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=25)


@settings(max_examples=300, deadline=None, database=None)
@given(
    status=st.integers(min_value=100, max_value=599),
    body=st.one_of(
        st.binary(max_size=200),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.builds(
            lambda code, msg, result: json.dumps({"code": code, "msg": msg, "result": result}).encode(),
            st.one_of(st.integers(), st.text(max_size=5), st.none()), json_values, json_values,
        ),
        st.builds(
            lambda code, message: json.dumps(
                {"type": "", "data": {"columns": [], "rows": [], "result": {"code": code, "message": message}}}  # noqa: E501
            ).encode(),
            st.one_of(st.integers(), st.none()), json_values,
        ),
    ),
    headers=st.dictionaries(
        st.sampled_from(["content-type", "x-ratelimit-reset", "x-ratelimit-remaining-minute",
                         "x-ratelimit-limit-minute", "retry-after", "x-ratelimit-remaining-day"]),
        header_values,
    ),
    expect=st.sampled_from(["chat2query", "data_service"]),
)  # fmt: skip
def test_any_answer_decodes_to_a_result_or_one_typed_error(
    status: int, body: bytes, headers: dict[str, str], expect: Any
) -> None:
    response = httpx.Response(status, content=body, headers=headers)
    try:
        decode_response(response, expect=expect, request="GET /v3/sessions")
    except Chat2QueryError as e:
        text = str(e)
        assert text and "\n" not in text and len(text) <= 500
        if isinstance(e, BadResponse):
            assert len(e.body) <= 64 * 1024
    else:
        assert status < 400


@settings(max_examples=200, deadline=None, database=None)
@given(headers=st.dictionaries(st.text(max_size=30), st.text(max_size=30)))
@example(headers={"X-Ratelimit-Reset": "nan"})
@example(headers={"X-Ratelimit-Reset": "1e400", "X-Ratelimit-Remaining-Minute": "-inf"})
def test_rate_limit_headers_of_any_value_never_crash(headers: dict[str, str]) -> None:
    info = RateLimitInfo.from_headers(headers)
    assert info.reset_after is None or isinstance(info.reset_after, float)


@settings(max_examples=200, deadline=None, database=None)
@given(
    result=json_values,
    kind=st.sampled_from([
        "chat2data", "chat2data_breakdown", "chat2data_v2", "refine_sql", "suggest_questions", "data_summary",
        "data_summary_update", None,
    ]),
    status=st.sampled_from(["init", "running", "done", "failed", "weird", ""]),
)  # fmt: skip
def test_job_payloads_of_any_shape_parse_or_are_a_bad_response(
    result: Any, kind: str | None, status: str
) -> None:
    try:
        job = Job.model_validate(
            {"job_id": "j", "status": status, "reason": "", "result": result, "ended_at": None}
        )
    except ValueError:
        return  # the client turns this into BadResponse (see Chat2QueryClient._parse)
    try:
        parse_job_result(job.result, kind)
    except BadResponse as e:
        assert "\n" not in str(e)


@settings(max_examples=300, deadline=None, database=None)
@given(sql=st.text(max_size=120), dialect=st.sampled_from(["sqlite", "mysql", "postgres", "duckdb"]))
@example(sql="SELECT 1; DROP TABLE companies; --", dialect="sqlite")
@example(sql="WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d", dialect="postgres")
@example(sql="'; DROP TABLE companies; --", dialect="mysql")
def test_the_sql_guard_classifies_any_text_or_refuses_it(sql: str, dialect: str) -> None:
    try:
        classified = sqlguard.check(sql, dialect, allow_write=False)
    except sqlguard.SqlGuardError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert classified.kind == "read"
        lowered = classified.sql.lower()
        assert not any(w in lowered.split() for w in ("drop", "delete", "insert", "update"))
