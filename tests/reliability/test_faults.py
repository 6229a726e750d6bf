"""The client against a faulty network, on every endpoint, with the embedded backend behind it.

For each fault kind, every one of the client's endpoint calls meets that fault once. What must hold:
- a call that cannot have changed anything on the server (GET, and PUT/DELETE that start no job) is
  retried and succeeds after a transport error or a 5xx;
- a call that creates something (every POST, and the PUT that starts a v2 summary update job) is sent
  again only when the first attempt provably never reached the server (connect error); otherwise it
  fails with one typed error, and the server saw it at most once: no job, session or knowledge item is
  ever created twice;
- 429 is never retried, and says when it resets if the server said so;
- a truncated, empty or non-JSON body is a `BadResponse`, never a crash or a wrong answer;
- the same client keeps working afterwards, and no error or log line shows the private key.
No real waiting: retries and delays go through injected sleeps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from c2q_tui import api
from c2q_tui.api import FewShot, TableUpdate, wait_for_job
from tests.reliability.conftest import PREFIX, PRIVATE, Env
from tests.reliability.faults import ALL_FAULTS, Fault


@dataclass
class Ids:
    summary_id: int
    knowledge_base_id: int
    knowledge_data_id: int
    session_id: int
    job_id: str


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str  # regex on the URL path
    run: Callable[[Env, Ids], Awaitable[Any]]
    creates: bool  # makes something new on the server each time it runs (not safe to repeat)
    job: bool = False  # starts a job


async def _fresh_item(env: Env, ids: Ids) -> Ids:
    item = await env.client.add_knowledge_data(
        ids.knowledge_base_id, FewShot(question="count users", answer="SELECT COUNT(*) FROM users")
    )
    assert item.knowledge_data_id is not None
    ids.knowledge_data_id = item.knowledge_data_id
    return ids


def _calls() -> list[Call]:
    c = "chat2data"
    return [
        Call(
            "create_data_summary",
            "POST",
            r"/v3/dataSummaries$",
            lambda e, i: e.client.create_data_summary(e.cluster_id, "shop", description="again"),
            True,
            True,
        ),
        Call(
            "list_data_summaries",
            "GET",
            r"/v3/dataSummaries$",
            lambda e, i: e.client.list_data_summaries(),
            False,
        ),
        Call(
            "get_data_summary",
            "GET",
            r"/v3/dataSummaries/\d+$",
            lambda e, i: e.client.get_data_summary(i.summary_id),
            False,
        ),
        Call(
            "update_data_summary",
            "PUT",
            r"/v3/dataSummaries/\d+$",
            lambda e, i: e.client.update_data_summary(i.summary_id, api.DataSummaryUpdate(summary="s")),
            False,
        ),
        Call(
            "update_table_description",
            "PUT",
            r"/tables/[^/]+$",
            lambda e, i: e.client.update_table_description(i.summary_id, "users", "people"),
            False,
        ),
        Call(
            "update_column_descriptions",
            "PUT",
            r"/tables/[^/]+/columns$",
            lambda e, i: e.client.update_column_descriptions(i.summary_id, "users", {"name": "n"}),
            False,
        ),
        Call(
            "create_knowledge_base",
            "POST",
            r"/v3/knowledgeBases$",
            lambda e, i: e.client.create_knowledge_base(e.cluster_id, "shop", "kb"),
            True,
        ),
        Call(
            "list_knowledge_bases",
            "GET",
            r"/v3/knowledgeBases$",
            lambda e, i: e.client.list_knowledge_bases(),
            False,
        ),
        Call(
            "get_knowledge_base",
            "GET",
            r"/v3/knowledgeBases/\d+$",
            lambda e, i: e.client.get_knowledge_base(i.knowledge_base_id),
            False,
        ),
        Call(
            "update_knowledge_base",
            "PUT",
            r"/v3/knowledgeBases/\d+$",
            lambda e, i: e.client.update_knowledge_base(i.knowledge_base_id, description="d"),
            False,
        ),
        Call(
            "add_knowledge_data",
            "POST",
            r"/v3/knowledgeBases/\d+/data$",
            lambda e, i: e.client.add_knowledge_data(i.knowledge_base_id, FewShot(question="q", answer="a")),
            True,
        ),
        Call(
            "list_knowledge_data",
            "GET",
            r"/v3/knowledgeBases/\d+/data$",
            lambda e, i: e.client.list_knowledge_data(i.knowledge_base_id),
            False,
        ),
        Call(
            "update_knowledge_data",
            "PUT",
            r"/data/\d+$",
            lambda e, i: e.client.update_knowledge_data(
                i.knowledge_base_id, i.knowledge_data_id, FewShot(question="q2", answer="a2")
            ),
            False,
        ),
        Call(
            "delete_knowledge_data",
            "DELETE",
            r"/data/\d+$",
            lambda e, i: e.client.delete_knowledge_data(i.knowledge_base_id, i.knowledge_data_id),
            False,
        ),
        Call(
            "create_session",
            "POST",
            r"/v3/sessions$",
            lambda e, i: e.client.create_session(e.cluster_id, "shop", "s"),
            True,
        ),
        Call("list_sessions", "GET", r"/v3/sessions$", lambda e, i: e.client.list_sessions(), False),
        Call(
            "get_session", "GET", r"/v3/sessions/\d+$", lambda e, i: e.client.get_session(i.session_id), False
        ),
        Call(
            "rename_session",
            "PUT",
            r"/v3/sessions/\d+$",
            lambda e, i: e.client.rename_session(i.session_id, "renamed"),
            False,
        ),
        Call(
            "reset_session",
            "PUT",
            r"/v3/sessions/\d+/reset$",
            lambda e, i: e.client.reset_session(i.session_id),
            False,
        ),
        Call(
            "session_chat2data",
            "POST",
            r"/v3/sessions/\d+/chat2data$",
            lambda e, i: e.client.session_chat2data(i.session_id, "how many users are there"),
            True,
            True,
        ),
        Call(
            c,
            "POST",
            r"/v3/chat2data$",
            lambda e, i: e.client.chat2data(
                "how many users are there", cluster_id=e.cluster_id, database="shop"
            ),
            True,
            True,
        ),
        Call(
            "refine_sql",
            "POST",
            r"/v3/refineSql$",
            lambda e, i: e.client.refine_sql(e.cluster_id, "shop", "SELECT * FROM users", "only US users"),
            True,
            True,
        ),
        Call(
            "suggest_questions",
            "POST",
            r"/v3/suggestQuestions$",
            lambda e, i: e.client.suggest_questions(e.cluster_id, "shop"),
            True,
            True,
        ),
        Call(
            "create_data_summary_v2",
            "POST",
            r"/v2/dataSummaries$",
            lambda e, i: e.client.create_data_summary_v2(e.cluster_id, "shop"),
            True,
            True,
        ),
        Call(
            "list_data_summaries_v2",
            "GET",
            r"/v2/dataSummaries$",
            lambda e, i: e.client.list_data_summaries_v2(),
            False,
        ),
        Call(
            "get_data_summary_v2",
            "GET",
            r"/v2/dataSummaries/\d+$",
            lambda e, i: e.client.get_data_summary_v2(i.summary_id),
            False,
        ),
        Call(
            "update_data_summary_v2",
            "PUT",
            r"/v2/dataSummaries/\d+$",
            lambda e, i: e.client.update_data_summary_v2(
                i.summary_id, {"users": TableUpdate(description="people")}
            ),
            True,
            True,
        ),
        Call(
            "chat2data_v2",
            "POST",
            r"/v2/chat2data$",
            lambda e, i: e.client.chat2data_v2(i.summary_id, "how many users are there"),
            True,
            True,
        ),
        Call("get_job", "GET", r"/v2/jobs/\w+$", lambda e, i: e.client.get_job(i.job_id), False),
        Call(
            "chat2data_v1",
            "POST",
            r"/v1/chat2data$",
            lambda e, i: e.client.chat2data_v1(e.cluster_id, "shop", "how many users are there"),
            True,
        ),
        Call(
            "chat2data_v1_legacy",
            "POST",
            r"/endpoint/chat2data$",
            lambda e, i: e.client.chat2data_v1(
                e.cluster_id, "shop", "how many users are there", path="legacy"
            ),
            True,
        ),
    ]


CALLS = _calls()


def test_the_catalogue_covers_every_route_of_the_backend() -> None:
    import re

    from fastapi.routing import APIRoute

    from c2q_tui.local.app import ROUTE_MODULES

    routes = [r for m in ROUTE_MODULES for r in m.router.routes if isinstance(r, APIRoute)]
    for route in routes:
        for method in route.methods or ():
            example = PREFIX + re.sub(r"\{[^}]+\}", "1", route.path).replace("/jobs/1", "/jobs/abc")
            assert any(c.method == method and re.search(c.path, example) for c in CALLS), (method, route.path)
    assert len(CALLS) == sum(len(r.methods or ()) for r in routes)


async def _setup(env: Env) -> Ids:
    client = env.client
    summaries = await client.list_data_summaries()
    kb = await client.create_knowledge_base(env.cluster_id, "shop", "kb")
    session = await client.create_session(env.cluster_id, "shop", "faults")
    job = await client.chat2data("how many users are there", cluster_id=env.cluster_id, database="shop")
    ids = Ids(summaries[0].data_summary_id, kb.knowledge_base_id, 0, session.session_id, job.job_id)
    await wait_for_job(client, job.job_id, deadline=30)
    return await _fresh_item(env, ids)


def _expect(fault: Fault, call: Call) -> tuple[str, int]:
    """(what the call must give: "ok" or an error class name, how often the server may see it)."""
    safe = not call.creates
    kind = fault.kind
    if kind in ("connect_error", "delay"):
        return "ok", 1
    if kind == "rate_limited":
        return "RateLimited", 0
    if kind == "status":
        if safe:
            return "ok", 2 if fault.forward else 1
        expected = "BadResponse" if fault.status_code == 502 and not fault.forward else "ApiError"
        if fault.forward:
            expected = "BadResponse"  # the injected 502 is HTML
        return expected, 1 if fault.forward else 0
    if kind in ("drop_after", "read_timeout"):
        return ("ok", 2) if safe else ("NetworkError", 1)
    return "BadResponse", 1  # truncated, non_json, empty


@pytest.mark.parametrize("fault", ALL_FAULTS, ids=[f.label for f in ALL_FAULTS])
async def test_every_endpoint_meets_the_fault(
    env: Env, fault: Fault, log_text: pytest.LogCaptureFixture
) -> None:
    ids = await _setup(env)
    failures: list[str] = []
    for call in CALLS:
        if call.name == "delete_knowledge_data":
            ids = await _fresh_item(env, ids)
        expected, max_seen = _expect(fault, call)
        jobs_before = env.job_count()
        seen_before = env.faulty.seen(call.method, call.path)
        env.faulty.inject(fault, method=call.method, path=call.path)
        outcome = "ok"
        error: api.Chat2QueryError | None = None
        try:
            await call.run(env, ids)
        except api.Chat2QueryError as e:
            outcome, error = type(e).__name__, e
        assert env.faulty.pending == 0, f"{call.name}: the fault was never hit"
        seen = env.faulty.seen(call.method, call.path) - seen_before
        new_jobs = env.job_count() - jobs_before
        if outcome != expected:
            failures.append(f"{call.name}: expected {expected}, got {outcome} ({error})")
        if call.creates and seen > max_seen:
            failures.append(f"{call.name}: the server saw it {seen} times")
        if seen != max_seen:
            failures.append(f"{call.name}: the server saw it {seen} times, expected {max_seen}")
        if call.job and new_jobs != min(seen, 1):
            failures.append(f"{call.name}: {new_jobs} jobs created for {seen} deliveries")
        if error is not None:
            text = f"{error} {error!r} {error.msg} {error.request}"
            assert PRIVATE not in text
            assert "\n" not in str(error) and str(error)
            if isinstance(error, api.RateLimited):
                assert error.reset_after == (7 if fault.headers else None)
                assert ("resets in 7 s" in str(error)) == bool(fault.headers)
            if isinstance(error, api.NetworkError):
                assert error.maybe_sent, "a request that reached the server must say it may have been sent"
    assert not failures, "\n".join(failures)
    # the same client still works after all of it
    assert (await env.client.get_session(ids.session_id)).session_id == ids.session_id
    assert all(PRIVATE not in r.getMessage() for r in log_text.records)


async def test_a_post_that_never_reached_the_server_is_sent_again_once(env: Env) -> None:
    await _setup(env)
    before = env.job_count()
    env.faulty.inject(Fault.connect_error(), method="POST", path=r"/v3/chat2data$", times=2)
    job = await env.client.chat2data("how many users are there", cluster_id=env.cluster_id, database="shop")
    assert env.faulty.seen("POST", r"/v3/chat2data$") == 2  # setup's, then the third attempt
    assert env.job_count() - before == 1
    assert (await wait_for_job(env.client, job.job_id, deadline=30)).ok


async def test_retries_are_bounded(env: Env) -> None:
    """A GET that keeps failing gives up after the policy's attempts with a clear error."""
    env.faulty.inject(Fault.status(503), method="GET", path=r"/v3/sessions$", times=10)
    with pytest.raises(api.ApiError, match=r"HTTP 503"):
        await env.client.list_sessions()
    attempts = [d for d in env.faulty.deliveries if d.path.endswith("/v3/sessions")]
    assert len(attempts) == env.client.retry.attempts
    env.faulty.clear()
    assert await env.client.list_sessions() is not None


# -- polling a job through faults ---------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.t = 1_700_000_000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        import asyncio

        self.slept.append(seconds)
        self.t += max(seconds, 0.0)
        await asyncio.sleep(0.005)  # let the job make progress in the same loop, without real waits


async def _submit(env: Env) -> str:
    job = await env.client.chat2data("how many users are there", cluster_id=env.cluster_id, database="shop")
    return job.job_id


async def test_polls_survive_transient_faults(env: Env) -> None:
    job_id = await _submit(env)
    # two failures in a row on one poll (the policy allows three attempts), then a third kind
    for fault in (Fault.drop_after(), Fault.status(503)):
        env.faulty.inject(fault, method="GET", path=r"/v2/jobs/")
    outcome = await wait_for_job(env.client, job_id, clock=FakeClock(), deadline=3600)
    assert outcome.ok and outcome.job.result is not None
    assert env.faulty.pending == 0


async def test_a_429_with_reset_is_waited_out_once(env: Env) -> None:
    job_id = await _submit(env)
    env.faulty.inject(Fault.rate_limited(reset=7), method="GET", path=r"/v2/jobs/")
    clock = FakeClock()
    outcome = await wait_for_job(env.client, job_id, clock=clock, deadline=3600)
    assert outcome.ok
    assert any(s >= 7 for s in clock.slept), clock.slept


async def test_a_429_without_reset_or_twice_in_a_row_stops_the_wait_and_the_job_can_be_resumed(
    env: Env,
) -> None:
    job_id = await _submit(env)
    env.faulty.inject(Fault.rate_limited(), method="GET", path=r"/v2/jobs/")
    with pytest.raises(api.RateLimited) as caught:
        await wait_for_job(env.client, job_id, clock=FakeClock(), deadline=3600)
    assert caught.value.reset_after is None
    env.faulty.inject(Fault.rate_limited(reset=5), method="GET", path=r"/v2/jobs/", times=2)
    with pytest.raises(api.RateLimited):
        await wait_for_job(env.client, job_id, clock=FakeClock(), deadline=3600)
    outcome = await wait_for_job(env.client, job_id, clock=FakeClock(), deadline=3600)
    assert outcome.ok


@pytest.mark.parametrize("fault", [Fault.truncated(), Fault.non_json(), Fault.empty()], ids=lambda f: f.label)
async def test_a_broken_poll_body_is_a_bad_response_and_the_job_can_be_resumed(
    env: Env, fault: Fault
) -> None:
    job_id = await _submit(env)
    env.faulty.inject(fault, method="GET", path=r"/v2/jobs/")
    with pytest.raises(api.BadResponse) as caught:
        await wait_for_job(env.client, job_id, clock=FakeClock(), deadline=3600)
    assert "HTTP 200" in str(caught.value)
    assert caught.value.body is not None and PRIVATE not in caught.value.body
    outcome = await wait_for_job(env.client, job_id, clock=FakeClock(), deadline=3600)
    assert outcome.ok


async def test_digest_auth_through_faults(env: Env) -> None:
    """The challenge round trip can fail too: the request is then not a job, and digest recovers."""
    from tests.reliability.conftest import BASE, PUBLIC

    client = api.Chat2QueryClient(
        BASE,
        public_key=PUBLIC,
        private_key=PRIVATE,
        auth="digest",
        transport=env.faulty,
        retry=env.client.retry,
        pace=api.EMBEDDED_PACE,
    )
    before = env.job_count()
    # the unsigned first POST is refused with a challenge, and its answer is lost
    env.faulty.inject(Fault.drop_after(), method="POST", path=r"/v3/chat2data$")
    with pytest.raises(api.NetworkError):
        await client.chat2data("how many users are there", cluster_id=env.cluster_id, database="shop")
    assert env.job_count() == before
    env.faulty.inject(Fault.status(503), method="GET", path=r"/v3/sessions$")
    assert isinstance(await client.list_sessions(), list)
    job = await client.chat2data("how many users are there", cluster_id=env.cluster_id, database="shop")
    assert env.job_count() == before + 1
    assert (await wait_for_job(client, job.job_id, clock=FakeClock(), deadline=3600)).ok
    assert PRIVATE not in repr(client)


async def test_a_real_short_delay_passes_through(env: Env) -> None:
    import asyncio

    env.faulty.sleep = asyncio.sleep
    env.faulty.inject(Fault.delay(0.05), method="GET", path=r"/v3/sessions$")
    assert isinstance(await env.client.list_sessions(), list)
