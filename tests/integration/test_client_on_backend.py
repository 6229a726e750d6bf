"""Every client method against the embedded backend, through the real HTTP path (ASGITransport).

The client was first tested against the documented example bodies; this proves the two halves of the
product agree on every route, id format, envelope and job payload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from c2q_tui import api
from c2q_tui.api import EMBEDDED_PACE, Chat2QueryClient, FewShot, Instruction, TermSheet, wait_for_job
from c2q_tui.local.app import build_local_app
from c2q_tui.local.settings import KeySpec, LocalSettings

pytestmark = pytest.mark.usefixtures("sample_db")
DB = "sp500insight"


class Ctx:
    def __init__(self, client: Chat2QueryClient, cluster_id: str) -> None:
        self.client = client
        self.cluster_id = cluster_id

    async def done(self, job_id: str) -> api.JobOutcome:
        outcome = await wait_for_job(self.client, job_id, deadline=30)
        assert outcome.job.status == "done", outcome.job.reason
        return outcome


KEYS = {"admin": ("PUB", "PRIV"), "readonly": ("RO", "ROPRIV")}


def make_app(tmp_path: Path, **settings: object) -> tuple[FastAPI, LocalSettings]:
    keys = [KeySpec(public_key=pub, private_key=SecretStr(priv), role=role)  # type: ignore[arg-type]
            for role, (pub, priv) in KEYS.items()]
    return build_local_app(LocalSettings(keys=keys, state_dir=tmp_path / "state", **settings))


def client_for(app: FastAPI, prepared: LocalSettings, role: str = "admin") -> Chat2QueryClient:
    pub, priv = KEYS[role]
    return Chat2QueryClient(
        f"http://test/api/v1beta/app/{prepared.app_id}/endpoint",
        public_key=pub,
        private_key=priv,
        transport=httpx.ASGITransport(app=app),
        pace=EMBEDDED_PACE,
    )


def make_client(tmp_path: Path, **settings: object) -> tuple[Chat2QueryClient, str]:
    app, prepared = make_app(tmp_path, **settings)
    return client_for(app, prepared), prepared.cluster_id


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[Ctx]:
    client, cluster_id = make_client(tmp_path)
    async with client:
        c = Ctx(client, cluster_id)
        job = await client.create_data_summary(cluster_id, DB, description="sample", reuse=True)
        await c.done(job.job_id)
        yield c


async def test_data_summaries_v3(ctx: Ctx) -> None:
    c = ctx.client
    [summary] = await c.list_data_summaries()
    assert isinstance(summary.data_summary_id, int)
    full = await c.get_data_summary(summary.data_summary_id)
    assert full.status == "done" and "companies" in full.tables
    await c.update_table_description(full.data_summary_id, "companies", "S&P 500 firms")
    await c.update_column_descriptions(full.data_summary_id, "companies", {"sector": "GICS sector"})
    await c.update_data_summary(full.data_summary_id, api.DataSummaryUpdate(keywords=["stocks", "sectors"]))
    again = await c.get_data_summary(full.data_summary_id)
    assert again.tables["companies"].description == "S&P 500 firms"
    assert again.tables["companies"].columns["sector"].description == "GICS sector"
    assert again.keywords == ["stocks", "sectors"]
    assert all(isinstance(r, list) for r in again.relationships.values())
    with pytest.raises(api.NotFound):
        await c.get_data_summary(999_999)


async def test_reuse_returns_the_existing_summary(ctx: Ctx) -> None:
    first = await ctx.client.create_data_summary(ctx.cluster_id, DB, reuse=True)
    second = await ctx.client.create_data_summary(ctx.cluster_id, DB, reuse=True)
    assert first.data_summary_id == second.data_summary_id
    fresh = await ctx.client.create_data_summary(ctx.cluster_id, DB, reuse=False)
    assert fresh.data_summary_id != first.data_summary_id
    outcome = await ctx.done(fresh.job_id)
    assert isinstance(outcome.result, api.DataSummary)


async def test_data_summaries_v2(ctx: Ctx) -> None:
    c = ctx.client
    job = await c.create_data_summary_v2(ctx.cluster_id, DB)
    await ctx.done(job.job_id)
    summaries = await c.list_data_summaries_v2()
    assert summaries
    v2 = await c.get_data_summary_v2(job.data_summary_id)
    assert v2.id == job.data_summary_id and v2.data is not None
    update = await c.update_data_summary_v2(
        job.data_summary_id, {"users": api.TableUpdate(description="people", columns={"email": "address"})}
    )
    assert update.job_id is not None
    outcome = await ctx.done(update.job_id)
    assert outcome.job.result is None


async def test_knowledge_bases(ctx: Ctx) -> None:
    c = ctx.client
    kb = await c.create_knowledge_base(ctx.cluster_id, DB, "finance terms")
    assert isinstance(kb.knowledge_base_id, int)
    assert [b.knowledge_base_id for b in await c.list_knowledge_bases()] == [kb.knowledge_base_id]
    assert (await c.get_knowledge_base(kb.knowledge_base_id)).description == "finance terms"
    assert (await c.update_knowledge_base(kb.knowledge_base_id, description="x")).description == "x"
    shot = await c.add_knowledge_data(
        kb.knowledge_base_id, FewShot(question="how many users", answer="SELECT COUNT(*) FROM users")
    )
    term = await c.add_knowledge_data(
        kb.knowledge_base_id, TermSheet(term=["mcap"], description="market cap")
    )
    rule = await c.add_knowledge_data(kb.knowledge_base_id, Instruction(instruction="limit to 10 rows"))
    items = await c.list_knowledge_data(kb.knowledge_base_id)
    assert {i.knowledge_data_id for i in items} == {shot.knowledge_data_id, term.knowledge_data_id,
                                                    rule.knowledge_data_id}
    await c.update_knowledge_data(kb.knowledge_base_id, rule.knowledge_data_id,
                                  Instruction(instruction="limit to 5 rows"))
    await c.delete_knowledge_data(kb.knowledge_base_id, shot.knowledge_data_id)
    left = await c.list_knowledge_data(kb.knowledge_base_id)
    assert len(left) == 2
    with pytest.raises(api.ApiError):
        await c.add_knowledge_data(kb.knowledge_base_id, Instruction(instruction="x" * 513))


async def test_sessions_and_multi_round_chat(ctx: Ctx) -> None:
    c = ctx.client
    session = await c.create_session(ctx.cluster_id, DB, "exploring")
    assert isinstance(session.session_id, int) and session.messages == []
    job = await c.session_chat2data(session.session_id, "how many companies are there")
    first = await ctx.done(job.job_id)
    assert isinstance(first.result, api.DataRetrievalResult)
    assert first.result.data is not None and first.result.data.rows == [["130"]]
    job = await c.session_chat2data(session.session_id, "only in the Energy sector")
    follow = await ctx.done(job.job_id)
    assert isinstance(follow.result, api.DataRetrievalResult) and follow.result.data is not None
    assert int(follow.result.data.rows[0][0]) < 130
    got = await c.get_session(session.session_id)
    assert len(got.messages) == 4
    assert (await c.rename_session(session.session_id, "energy")).meta is not None
    assert session.session_id in [s.session_id for s in await c.list_sessions()]
    await c.reset_session(session.session_id)
    assert (await c.get_session(session.session_id)).messages == []
    with pytest.raises(api.NotFound):
        await c.session_chat2data(424_242, "count the users")


async def test_chat2data_direct_and_breakdown(ctx: Ctx) -> None:
    c = ctx.client
    job = await c.chat2data("top 5 companies by revenue", cluster_id=ctx.cluster_id, database=DB)
    assert len(job.job_id) == 32 and isinstance(job.session_id, int)
    out = await ctx.done(job.job_id)
    assert isinstance(out.result, api.DataRetrievalResult) and out.result.data is not None
    assert len(out.result.data.rows) == 5 and out.result.chart_options is not None
    job = await c.chat2data(
        "compare the average revenue of Energy and Utilities and list their largest companies",
        cluster_id=ctx.cluster_id, database=DB, sql_generate_mode="auto_breakdown",
    )
    out = await ctx.done(job.job_id)
    assert isinstance(out.result, api.BreakdownResult)
    assert [t.task_id for t in out.result.sub_tasks][:2] == ["0-0", "0-1"]


async def test_failed_job_and_sql_error_are_told_apart(ctx: Ctx) -> None:
    job = await ctx.client.chat2data("how many flights landed", cluster_id=ctx.cluster_id, database=DB)
    outcome = await wait_for_job(ctx.client, job.job_id, deadline=30)
    assert outcome.job.status == "failed" and "flights" in outcome.job.reason


async def test_refine_and_suggest(ctx: Ctx) -> None:
    c = ctx.client
    job = await c.refine_sql(ctx.cluster_id, DB, "SELECT company_name, revenue FROM companies", "limit 10")
    out = await ctx.done(job.job_id)
    assert isinstance(out.result, api.RefineResult)
    assert "10" in out.result.rewritten_sql and out.result.solution
    job = await c.suggest_questions(ctx.cluster_id, DB)
    assert job.job_id is not None
    out = await ctx.done(job.job_id)
    assert isinstance(out.result, list) and out.result and all(isinstance(q, str) for q in out.result)


async def test_v2_chat2data_and_v1(ctx: Ctx) -> None:
    c = ctx.client
    [summary] = await c.list_data_summaries()
    job = await c.chat2data_v2(summary.data_summary_id, "count the users")
    out = await ctx.done(job.job_id)
    assert isinstance(out.result, api.V2Chat2DataResult)
    assert out.result.task_tree["0"].rows == [["200"]]
    for path in ("v1", "legacy"):
        v1 = await c.chat2data_v1(ctx.cluster_id, DB, "count the users", tables=["users"], path=path)
        assert v1.rows_as_lists() == [["200"]] and v1.sql


async def test_read_only_key_asks_but_cannot_manage_summaries(tmp_path: Path) -> None:
    app, prepared = make_app(tmp_path)
    async with client_for(app, prepared) as admin, client_for(app, prepared, "readonly") as ro:
        with pytest.raises(api.ApiError, match="permission denied"):
            await ro.create_data_summary(prepared.cluster_id, DB, reuse=True)
        job = await admin.create_data_summary(prepared.cluster_id, DB, reuse=True)
        await wait_for_job(admin, job.job_id, deadline=30)
        job = await ro.chat2data("count the users", cluster_id=prepared.cluster_id, database=DB)
        out = await wait_for_job(ro, job.job_id, deadline=30)
        assert isinstance(out.result, api.DataRetrievalResult) and out.result.data is not None
        assert out.result.data.rows == [["200"]]
        v1 = await ro.chat2data_v1(prepared.cluster_id, DB, "count the users")
        assert v1.rows_as_lists() == [["200"]]


async def test_quota_and_rate_limit_headers(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path, daily_quota=3)
    async with client:
        await client.list_sessions()
        assert client.last_rate_limit is not None and client.last_rate_limit.limit_minute is not None
        await client.list_sessions()
        await client.list_sessions()
        with pytest.raises(api.RateLimited) as e:
            await client.list_sessions()
        assert e.value.reset_after is not None and e.value.reset_after > 0
