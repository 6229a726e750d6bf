"""DataSummaryScreen: view the database's data summary, edit descriptions, regenerate it.

`app.push_screen(DataSummaryScreen(conn))` with a `Connection` (client, cluster id, database).
It finds the database's summary (the newest done default one; if there is none it generates one),
shows a tree of tables and columns beside the selected item's details, lets the user edit a table's
or a column's description (saved through the PUT endpoints, then read back), and regenerate the
summary with its progress shown. Every request runs in a worker that posts a message; the handlers
change the widgets. After a save or a regeneration it posts `DataSummaryScreen.Changed` (bubbles to
the app), so the app can pick up a new summary id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, ProgressBar, Static, TextArea, Tree
from textual.widgets.tree import TreeNode

from c2q_tui.api import KIND_DATA_SUMMARY, Chat2QueryError, DataSummary, JobProgress, wait_for_job
from c2q_tui.connection import Connection
from c2q_tui.tui.screens.dialogs import Confirm


@dataclass(frozen=True)
class SummaryNode:
    """What a tree node stands for: the database (no table), a table, or one of its columns."""

    table: str | None = None
    column: str | None = None

    @property
    def label(self) -> str:
        return f"{self.table}.{self.column}" if self.column else self.table or "database"


def _reason(exc: Exception) -> str:
    """API errors read well as they are; anything else (a bug) names its type."""
    return str(exc) if isinstance(exc, Chat2QueryError) else f"{type(exc).__name__}: {exc}"


def pick_summary(summaries: list[DataSummary], database: str) -> DataSummary | None:
    """The summary questions use: the newest done default one of `database`, else the newest done."""
    done = [s for s in summaries if s.database == database and s.ready]
    return max(done, key=lambda s: (s.default, s.data_summary_id)) if done else None


def node_description(summary: DataSummary, node: SummaryNode) -> str:
    table = summary.tables.get(node.table or "")
    if table is None:
        return ""
    if node.column is None:
        return table.description
    column = table.columns.get(node.column)
    return column.description if column else ""


def _section(title: str, body: str) -> Content:
    return Content.assemble((title, "bold $text-accent"), "\n", body or "—", "\n\n")


def node_details(summary: DataSummary, node: SummaryNode) -> Content:
    """The detail pane's text for a node; descriptions are plain text, never markup."""
    if node.table is None:
        rels = sorted({f"{r.referencing_table}.{r.referencing_table_column} → "
                       f"{r.referenced_table}.{r.referenced_table_column}"
                       for group in summary.relationships.values() for r in group})
        described = [d for d in (summary.description.system, summary.description.user)
                     if d and d != summary.summary]  # the sample repeats the summary here
        return Content.assemble(
            _section(f"Database {summary.database}", summary.summary),
            *([_section("Description", "\n".join(described))] if described else []),
            _section("Keywords", ", ".join(summary.keywords)),
            _section(f"Tables ({len(summary.tables)})", ", ".join(summary.tables)),
            _section("Relationships", "\n".join(rels)),
        )
    table = summary.tables.get(node.table)
    if table is None:
        return Content(f"{node.table} is not in this summary any more.")
    if node.column is None:
        rels = [f"{r.referencing_table}.{r.referencing_table_column} → "
                f"{r.referenced_table}.{r.referenced_table_column}"
                for r in summary.relationships.get(node.table, [])]
        return Content.assemble(
            _section(f"Table {node.table}", table.description),
            _section(f"Columns ({len(table.columns)})", ", ".join(table.columns)),
            _section("Relationships", "\n".join(rels)),
        )
    column = table.columns.get(node.column)
    return _section(f"Column {node.table}.{node.column}", column.description if column else "")


class DataSummaryScreen(Screen[None]):
    """The data summary viewer and editor of the connection's database."""

    CSS_PATH = "data_summary.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="summary-close", tooltip="Back to the chat."),
        Binding("ctrl+s", "save", "Save description", id="summary-save",
                tooltip="Save the description of the selected table or column."),
        Binding("ctrl+g", "regenerate", "Regenerate", id="summary-regenerate",
                tooltip="Generate the data summary again from the database."),
        Binding("f5", "reload", "Reload", id="summary-reload", tooltip="Read the summary again."),
    ]

    class Loaded(Message):
        def __init__(self, summary: DataSummary, *, regenerated: bool = False) -> None:
            super().__init__()
            self.summary = summary
            self.regenerated = regenerated

    class Failed(Message):
        def __init__(self, action: str, reason: str) -> None:
            super().__init__()
            self.action = action
            self.reason = reason

    class Progressed(Message):
        def __init__(self, status: str, elapsed: float, requests: int) -> None:
            super().__init__()
            self.status = status
            self.elapsed = elapsed
            self.requests = requests

    class Saved(Message):
        def __init__(self, node: SummaryNode) -> None:
            super().__init__()
            self.node = node

    class Changed(Message):
        """The summary was edited or regenerated (public: bubbles to the app)."""

        def __init__(self, data_summary_id: int) -> None:
            super().__init__()
            self.data_summary_id = data_summary_id

    def __init__(self, conn: Connection, *, data_summary_id: int | None = None) -> None:
        super().__init__()
        self.conn = conn
        self.summary: DataSummary | None = None
        self.requested_id = data_summary_id
        self.current = SummaryNode()
        self.busy = ""  # what a worker is doing, shown in the header
        self._tree_nodes: dict[SummaryNode, TreeNode[SummaryNode]] = {}

    def compose(self) -> ComposeResult:
        yield Static(f"Data summary · {self.conn.database} · loading…", id="summary-header", markup=False)
        with Horizontal(id="summary-body"):
            tree: Tree[SummaryNode] = Tree(self.conn.database, data=SummaryNode(), id="summary-tree")
            tree.show_root = True
            yield tree
            with Vertical(id="summary-side"):
                with VerticalScroll(id="summary-detail"):
                    yield Static("", id="summary-text")
                yield Label("Select a table or a column to edit its description.", id="summary-edit-label")
                yield TextArea("", id="summary-edit", soft_wrap=True, disabled=True)
                with Horizontal(id="summary-buttons"):
                    yield Button("Save", variant="primary", id="summary-save-button", disabled=True)
                    yield Button("Revert", id="summary-revert", disabled=True)
                    yield Button("Regenerate", id="summary-regenerate-button")
        with Horizontal(id="summary-progress-row"):
            yield ProgressBar(total=None, show_eta=False, id="summary-progress")
            yield Static("", id="summary-progress-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#summary-progress-row").display = False
        self.query_one("#summary-edit", TextArea).cursor_blink = False
        self.query_one(Tree).focus()
        self._header("loading…")
        self._load(self.requested_id)

    # ------------------------------------------------------------ workers (they only post)

    @work(exclusive=True, group="summary", exit_on_error=False)
    async def _load(self, summary_id: int | None) -> None:
        client = self.conn.client
        try:
            if summary_id is None:
                found = pick_summary(await client.list_data_summaries(), self.conn.database)
                summary_id = found.data_summary_id if found else None
            summary = await client.get_data_summary(summary_id) if summary_id is not None else None
        except Exception as exc:
            self.post_message(self.Failed("load", _reason(exc)))
            return
        if summary is not None and summary.ready:
            self.post_message(self.Loaded(summary))
        else:  # none yet, or still generating: reuse=True joins a running job or starts one
            await self._generate(reuse=True, description="")

    @work(exclusive=True, group="summary", exit_on_error=False)
    async def _regenerate(self, description: str) -> None:
        await self._generate(reuse=False, description=description)

    async def _generate(self, *, reuse: bool, description: str) -> None:
        client = self.conn.client
        action = "generate" if reuse else "regenerate"

        def progressed(progress: JobProgress) -> None:
            self.post_message(self.Progressed(progress.status, progress.elapsed, progress.requests_spent))

        try:
            self.post_message(self.Progressed("starting", 0.0, 0))
            job = await client.create_data_summary(
                self.conn.cluster_id, self.conn.database, reuse=reuse, description=description
            )
            outcome = await wait_for_job(client, job.job_id, kind=KIND_DATA_SUMMARY, on_progress=progressed)
            if not outcome.ok:
                self.post_message(self.Failed(action, outcome.reason or "the job failed"))
                return
            summary = await client.get_data_summary(job.data_summary_id)
        except Exception as exc:
            self.post_message(self.Failed(action, _reason(exc)))
            return
        self.post_message(self.Loaded(summary, regenerated=not reuse))

    @work(group="summary-edit", exit_on_error=False)
    async def _save(self, summary_id: int, node: SummaryNode, text: str) -> None:
        client = self.conn.client
        assert node.table is not None
        try:
            if node.column is None:
                await client.update_table_description(summary_id, node.table, text)
            else:
                await client.update_column_descriptions(summary_id, node.table, {node.column: text})
            summary = await client.get_data_summary(summary_id)
        except Exception as exc:
            self.post_message(self.Failed("save", _reason(exc)))
            return
        self.post_message(self.Saved(node))
        self.post_message(self.Loaded(summary))

    # ------------------------------------------------------------ handlers (they change state)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.summary = event.summary
        self.busy = ""
        self._fill_tree(event.summary)
        self.query_one("#summary-progress-row").display = False
        self._header()
        self._show(self.current)
        if event.regenerated:
            self.notify("Data summary regenerated.", title="Data summary")
            self.post_message(self.Changed(event.summary.data_summary_id))

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.busy = ""
        self.query_one("#summary-progress-row").display = False
        self._header()
        self.notify(f"Could not {event.action} the data summary: {event.reason}", severity="error",
                    title="Data summary")

    @on(Progressed)
    def _progressed(self, event: Progressed) -> None:
        self.busy = "generating…"
        self.query_one("#summary-progress-row").display = True
        self.query_one("#summary-progress-text", Static).update(
            f"Generating the data summary: {event.status} · {event.elapsed:.0f} s · "
            f"{event.requests} request{'' if event.requests == 1 else 's'}"
        )
        self._header()

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.notify(f"Description of {event.node.label} saved.", title="Data summary")
        if self.summary is not None:
            self.post_message(self.Changed(self.summary.data_summary_id))

    @on(Tree.NodeHighlighted, "#summary-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[SummaryNode]) -> None:
        node = event.node.data or SummaryNode()
        if node != self.current:
            self._show(node)

    @on(TextArea.Changed, "#summary-edit")
    def _edited(self) -> None:
        self.query_one("#summary-revert", Button).disabled = not self._dirty()

    # ------------------------------------------------------------ actions

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#summary-save-button")
    def action_save(self) -> None:
        node = self.current
        if self.summary is None or node.table is None:
            self.notify("Select a table or a column to edit its description.", severity="warning")
            return
        text = self.query_one("#summary-edit", TextArea).text.strip()
        if not text:
            self.notify("A description cannot be empty.", severity="warning")
            return
        self._save(self.summary.data_summary_id, node, text)

    @on(Button.Pressed, "#summary-revert")
    def _revert(self) -> None:
        self._show(self.current)

    @on(Button.Pressed, "#summary-regenerate-button")
    def action_regenerate(self) -> None:
        if self.busy:
            self.notify("The data summary is busy; wait for it to finish.", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._regenerate(self.summary.description.user if self.summary else "")

        # a new summary is generated from the database: edited descriptions are not carried over
        self.app.push_screen(
            Confirm("Regenerate data summary",
                    "Generate the data summary again from the database? It can take a few minutes "
                    "on a large database, and descriptions edited here are replaced.",
                    confirm="Regenerate"),
            confirmed,
        )

    def action_reload(self) -> None:
        self._load(self.summary.data_summary_id if self.summary else self.requested_id)

    # ------------------------------------------------------------ view

    def _header(self, state: str | None = None) -> None:
        summary = self.summary
        parts = ["Data summary", self.conn.database]
        if summary is not None:
            parts += [f"#{summary.data_summary_id}", summary.status]
        if state or self.busy:
            parts.append(state or self.busy)
        self.query_one("#summary-header", Static).update(" · ".join(parts))

    def _fill_tree(self, summary: DataSummary) -> None:
        """Build the tree, unless the tables and columns are unchanged (an edit): then the cursor
        and the expanded tables stay where the user left them."""
        tree: Tree[SummaryNode] = self.query_one("#summary-tree", Tree)
        wanted = [SummaryNode(t, c) for t, table in summary.tables.items() for c in [None, *table.columns]]
        if set(wanted) == set(self._tree_nodes) - {SummaryNode()}:
            return
        tree.clear()
        tree.root.data = SummaryNode()
        self._tree_nodes = {SummaryNode(): tree.root}
        for name, table in summary.tables.items():
            branch = tree.root.add(f"{name} ({len(table.columns)})", data=SummaryNode(name))
            self._tree_nodes[SummaryNode(name)] = branch
            for column in table.columns:
                key = SummaryNode(name, column)
                self._tree_nodes[key] = branch.add_leaf(column, data=key)
        tree.root.expand()
        if self.current not in self._tree_nodes:
            self.current = SummaryNode()

    def _dirty(self) -> bool:
        if self.summary is None or self.current.table is None:
            return False
        return self.query_one("#summary-edit", TextArea).text.strip() != node_description(
            self.summary, self.current
        )

    def _show(self, node: SummaryNode) -> None:
        if self._dirty() and node != self.current:
            self.notify(f"Unsaved description of {self.current.label} discarded.", severity="warning")
        self.current = node
        summary = self.summary
        text = self.query_one("#summary-text", Static)
        editor = self.query_one("#summary-edit", TextArea)
        editable = summary is not None and node.table is not None
        text.update(node_details(summary, node) if summary else Content("Loading…"))
        self.query_one("#summary-edit-label", Label).update(
            f"Description of {node.label}" if editable
            else "Select a table or a column to edit its description."
        )
        editor.load_text(node_description(summary, node) if summary and editable else "")
        editor.disabled = not editable
        self.query_one("#summary-save-button", Button).disabled = not editable
        self.query_one("#summary-revert", Button).disabled = True
