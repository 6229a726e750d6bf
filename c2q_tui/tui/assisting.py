"""Explain, optimize and convert the SQL in the viewer: the actions, the streaming worker and its handlers.

Who answers depends on the profile (`sqltools.assist.provider_for`): the engine's model for a local
profile with the openai or chat2db engine, sqlglot offline for everything else. TiDB Cloud has no such
endpoint, so a TiDB Cloud answer is explained offline and costs none of the Data App's daily requests.
Where the profile reaches its database (the embedded backend's, or a TiDB Cloud profile's
`database_url`), optimize adds the database's own plan and the models get the tables' DDL.

Chain: an action -> `assist_worker` posts AssistChunkArrived* -> AssistFinished | AssistFailed. Each run
has an id; cancelling (escape in the panel) or starting another run bumps it, so late messages of an
older run change nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from contextlib import aclosing
from functools import partial
from typing import TYPE_CHECKING

from textual import on, work

from c2q_tui.tui import flows
from c2q_tui.tui.answers import AnswersMixin
from c2q_tui.tui.messages import (
    AssistCancelRequested,
    AssistChunkArrived,
    AssistFailed,
    AssistFinished,
    AssistSqlChosen,
)

if TYPE_CHECKING:
    from c2q_tui.config import Profile
    from c2q_tui.sqltools.assist import Action, AssistRequest, Provider
    from c2q_tui.tui.widgets.assist_panel import AssistPanel

ProviderFactory = Callable[["Profile"], "Provider"]
_SCHEMES = {"postgresql": "postgres", "mariadb": "mysql", "sqlite": "sqlite", "duckdb": "duckdb"}


class AssistMixin(AnswersMixin):
    sql_runner: flows.SqlRunner
    assist_providers: ProviderFactory | None = None  # None: `provider_for`; tests inject scripted ones
    assist_target: str | None = None  # the dialect last converted to, offered first next time
    _assist_run = 0
    _assist_offline = False  # the current run answers without any network request

    @property
    def assist_panel(self) -> AssistPanel:
        return self.main.assist  # mounts it if the first frame has only just been drawn

    # -- the actions ---------------------------------------------------------------------------------

    def action_explain_sql(self) -> None:
        self._assist("explain")

    def action_optimize_sql(self) -> None:
        self._assist("optimize")

    def action_convert_sql(self) -> None:
        sql = self._viewer_sql()
        if sql is None:
            return
        from c2q_tui.sqltools.common import dialect_label
        from c2q_tui.tui.screens.dialect_picker import DialectPicker

        picker = DialectPicker(dialect_label(self.assist_dialect), initial=self.assist_target)
        self.push_screen(picker, partial(self._target_chosen, sql))

    def _target_chosen(self, sql: str, key: str | None) -> None:
        if key:
            self.assist_target = key
            self._assist("convert", key, sql=sql)

    # -- starting and stopping a run -----------------------------------------------------------------

    @property
    def assist_dialect(self) -> str:
        """What the viewer's SQL is written in: TiDB for TiDB Cloud, else the profile's database."""
        if self.profile.kind == "tidbcloud":
            return "tidb"
        if self.conn is not None:
            return flows.sql_dialect(self.conn)
        url = self.profile.database_url or "sqlite://"
        return _SCHEMES.get(url.split(":", 1)[0].split("+", 1)[0].lower(), "mysql")

    def _viewer_sql(self) -> str | None:
        sql = self.main.sql.current_sql.strip()
        if not sql:
            self.notify(
                "There is no SQL in the SQL viewer: select an answer that has SQL first.", severity="warning"
            )
            return None
        return sql

    def _assist(self, action: Action, target: str | None = None, *, sql: str | None = None) -> None:
        sql = sql or self._viewer_sql()
        if sql is None:
            return
        from c2q_tui.sqltools.assist import AssistRequest, provider_for
        from c2q_tui.sqltools.convert import sqlglot_dialect
        from c2q_tui.sqltools.convert import target as find_target

        provider = (self.assist_providers or provider_for)(self.profile)
        self._assist_stop()
        dialect = self.assist_dialect
        out_dialect = sqlglot_dialect(dialect)
        if action == "convert" and target:
            goal = find_target(target)
            title, what = f"Convert to {goal.name}", f"the SQL converted to {goal.name}"
            out_dialect = goal.dialect
        elif action == "optimize":
            title, what = "Optimize SQL", "the optimized SQL"
        else:
            title, what = "Explain SQL", "the SQL"
        self._assist_offline = provider.kind == "offline"
        self.assist_panel.start(action, title, provider.label, dialect=out_dialect, what=what)
        url = flows.sql_url(self.conn) if self.conn is not None else None
        request = AssistRequest(action, sql, dialect, target)
        self.assist_worker(self._assist_run, request, provider, url)

    def _assist_stop(self) -> None:
        self._assist_run += 1
        self.workers.cancel_group(self, "assist")

    async def reset_work_panes(self) -> None:
        # another session or profile: an answer about the SQL that was shown no longer belongs here
        await super().reset_work_panes()
        self._assist_stop()
        self.assist_panel.close()

    # -- the worker ----------------------------------------------------------------------------------

    @work(exclusive=True, group="assist", exit_on_error=False)
    async def assist_worker(
        self, run_id: int, request: AssistRequest, provider: Provider, url: str | None
    ) -> None:
        from c2q_tui.sqltools.assist import AssistError

        try:
            # the offline explain and convert read only the statement; the rest use the database
            if url is not None and (request.action == "optimize" or provider.kind != "offline"):
                try:
                    db = await asyncio.to_thread(self.sql_runner.database, url)
                except Exception:  # the answer still comes, only without the plan and the tables' DDL
                    db = None
                request = dataclasses.replace(request, db=db)
            async with aclosing(provider.stream(request)) as chunks:
                async for piece in chunks:
                    self.post_message(AssistChunkArrived(run_id, piece))
        except AssistError as e:
            self.post_message(AssistFailed(run_id, str(e)))
        except Exception as e:
            self.post_message(AssistFailed(run_id, flows.describe_error(e)[1]))
        else:
            self.post_message(AssistFinished(run_id))

    # -- handlers ------------------------------------------------------------------------------------

    @on(AssistChunkArrived)
    def _assist_chunk_arrived(self, message: AssistChunkArrived) -> None:
        if message.run_id == self._assist_run:
            self.assist_panel.append(message.text)

    @on(AssistFinished)
    def _assist_finished(self, message: AssistFinished) -> None:
        if message.run_id != self._assist_run:
            return
        offline = "Done offline (sqlglot): no API request spent."
        self.assist_panel.finish(offline if self._assist_offline else "Done.")

    @on(AssistFailed)
    def _assist_failed(self, message: AssistFailed) -> None:
        if message.run_id == self._assist_run:
            self.assist_panel.fail(f"Failed: {message.reason}")

    @on(AssistCancelRequested)
    def _assist_cancel_requested(self, message: AssistCancelRequested) -> None:
        self._assist_stop()
        self.assist_panel.cancelled()

    @on(AssistSqlChosen)
    def _assist_sql_chosen(self, message: AssistSqlChosen) -> None:
        """Like an edit in $EDITOR: the new SQL as a diff in the viewer, ready to run (f9) or copy."""
        old = self.main.sql.current_sql
        note = f"{message.what[:1].upper()}{message.what[1:]}, from the assist panel."
        self.main.sql.show_diff(old, message.sql, note, dialect=message.dialect)
        can_run = self.conn is not None and flows.sql_url(self.conn) is not None
        self.main.refine.open(message.what, can_run=can_run)
        self.main.refine.show_result(message.sql)
