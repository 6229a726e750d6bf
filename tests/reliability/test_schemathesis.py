"""Schemathesis against the embedded backend's own OpenAPI document, in process (ASGI), authenticated.

Every operation of `create_app(...).openapi()` gets a bounded number of generated requests, valid
(positive) and invalid (negative). Each answer must not be a server error (no 5xx) and must use one
of the two documented envelopes (reference section 5.1) with a code that agrees with the HTTP
status. The served database must be unchanged afterwards.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi

from c2q_tui.local.app import create_app
from tests.reliability.conftest import PRIVATE, PUBLIC, settings_for, table_digest

EXAMPLES = 15  # per operation and generation mode; 31 operations x 2 modes
AUTH = "Basic " + base64.b64encode(f"{PUBLIC}:{PRIVATE}".encode()).decode()


def envelope_problem(status: int, body: bytes) -> str | None:
    """Why `body` is not a documented envelope for an answer with HTTP `status`, or None."""
    try:
        data = json.loads(body)
    except ValueError:
        return f"HTTP {status}: the body is not JSON: {body[:120]!r}"
    if not isinstance(data, dict):
        return f"HTTP {status}: the body is not a JSON object"
    if set(data) == {"code", "msg", "result"}:  # Chat2Query
        if not isinstance(data["code"], int) or not isinstance(data["msg"], str):
            return f"HTTP {status}: code/msg of the wrong type: {data}"
        if data["code"] != status:
            return f"HTTP {status}: envelope code {data['code']}"
        if status >= 400 and not data["msg"]:
            return f"HTTP {status}: an error without a message"
        return None
    inner = data.get("data")
    if set(data) == {"type", "data"} and isinstance(inner, dict) and isinstance(inner.get("result"), dict):
        result = inner["result"]
        if not isinstance(inner.get("columns"), list) or not isinstance(inner.get("rows"), list):
            return f"HTTP {status}: Data Service envelope without columns/rows lists"
        if not isinstance(result.get("code"), int) or not isinstance(result.get("message"), str):
            return f"HTTP {status}: Data Service result without code/message: {result}"
        if status >= 400 and not result["message"]:
            return f"HTTP {status}: an error without a message"
        return None
    return f"HTTP {status}: neither envelope: {sorted(data)}"


def documented_envelope(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    problem = envelope_problem(response.status_code, response.content)
    if problem is not None:
        raise AssertionError(problem)
    if PRIVATE in response.content.decode("utf-8", "replace"):
        raise AssertionError("the private key is in a response")
    return None


def _pin(node: Any, cluster_id: str) -> None:
    """Steer valid (positive) requests at what exists: the served cluster and database, and ids 1-3,
    so they get past the lookups; negative mode still generates everything outside that."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            if "cluster_id" in props:
                props["cluster_id"] = {"enum": [cluster_id]}
            if "database" in props:
                props["database"] = {"enum": ["shop"]}
                node["required"] = sorted({*node.get("required", []), "database"})
            if "data_summary_id" in props:
                props["data_summary_id"] = {"type": "integer", "minimum": 1, "maximum": 3}
        if node.get("in") == "path" and node.get("schema", {}).get("type") == "integer":
            node["schema"] = {"type": "integer", "minimum": 1, "maximum": 3}
        for value in node.values():
            _pin(value, cluster_id)
    elif isinstance(node, list):
        for value in node:
            _pin(value, cluster_id)


def _seed(app: Any) -> None:
    """Objects with ids 1-3 for the generated requests to find: sessions, a knowledge base and items."""
    target = {"cluster_id": app.state.backend.cluster_id, "database": "shop"}
    with asgi.get_client(app) as client:
        client.headers["Authorization"] = AUTH
        prefix = app.openapi()["paths"]
        base = next(iter(prefix)).split("/v3/")[0]
        for n in range(3):
            assert client.post(f"{base}/v3/sessions", json={**target, "name": f"s{n}"}).status_code == 200
            kb = client.post(f"{base}/v3/knowledgeBases", json={**target, "description": f"kb{n}"})
            assert kb.status_code == 200, kb.text
            item = {"type": "instruction", "raw_data": {"instruction": f"rule {n}"}}
            assert client.post(f"{base}/v3/knowledgeBases/1/data", json=item).status_code == 200


def _fuzz(operation: Any, mode: schemathesis.GenerationMode, answered: set[str]) -> Any:
    """A Hypothesis test sending `EXAMPLES` generated requests to one operation."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers={"Authorization": AUTH})
        if response.status_code < 300:
            answered.add(operation.label)
        case.validate_response(response, checks=[not_a_server_error, documented_envelope])

    return run


def test_no_server_error_and_documented_envelopes(shop_root: Path) -> None:
    app = create_app(settings_for(shop_root, per_minute=None))  # else 429s after 600 requests
    document = app.openapi()
    _pin(document, app.state.backend.cluster_id)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 31
    bodies = [op for op in operations if op.method.upper() in ("POST", "PUT") and op.body]
    assert len(bodies) >= 19, "every route that reads a body declares it"
    before = table_digest(shop_root / "shop.sqlite3")
    _seed(app)
    failures: list[str] = []
    answered: set[str] = set()  # operations that answered 2xx at least once: the fuzzing got past checks
    try:
        for operation in operations:
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
                run = _fuzz(operation, mode, answered)
                try:
                    run()
                except Unsatisfiable:
                    continue  # nothing to make invalid (no parameters, or only a free-form string)
                except Exception as e:  # collect every operation's failure, then report them all
                    first = str(e).strip().splitlines()[:12]
                    failures.append(f"{operation.label} [{mode.value}]:\n    " + "\n    ".join(first))
    finally:
        asgi.shutdown_lifespans()  # runs the app's shutdown: stops its jobs, closes the store
        app.state.backend.closing.set()
    assert not failures, "\n\n".join(failures)
    assert len(answered) >= 24, "\n".join(sorted(set(o.label for o in operations) - answered))
    assert table_digest(shop_root / "shop.sqlite3") == before


@pytest.mark.parametrize(
    ("status", "body", "ok"),
    [
        (400, b'{"code":400,"msg":"param check failed! x","result":{}}', True),
        (
            401,
            b'{"type":"","data":{"columns":[],"rows":[],"result":{"code":401,"message":"auth failed"}}}',
            True,
        ),
        (200, b'{"code":200,"msg":"","result":null}', True),
        (500, b"<html>oops</html>", False),
        (400, b'{"detail":"Not Found"}', False),
        (404, b'{"code":400,"msg":"x","result":{}}', False),
        (400, b'{"code":400,"msg":"","result":{}}', False),
    ],
)
def test_the_envelope_check_itself(status: int, body: bytes, ok: bool) -> None:
    assert (envelope_problem(status, body) is None) == ok
