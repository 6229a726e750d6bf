"""KnowledgeScreen: list, add, edit and delete the database's knowledge (few-shot, term sheets,
instructions).

`app.push_screen(KnowledgeScreen(conn))` with a `Connection`. It uses the database's knowledge base,
creating one if there is none. Pick an item (enter or click) to edit it; ctrl+n starts a new one.
An instruction shows "n/512" as the user types; past 512 the counter turns to the error colour and
saving is blocked. Requests run in workers that post messages; handlers change the widgets. After a
change it posts `KnowledgeScreen.Changed` (bubbles to the app).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Input,
    Label,
    OptionList,
    Select,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from c2q_tui.api import Chat2QueryError, FewShot, Instruction, KnowledgeBase, KnowledgeData, TermSheet
from c2q_tui.api.models_knowledge import INSTRUCTION_MAX_CHARS, KnowledgeRaw
from c2q_tui.connection import Connection
from c2q_tui.tui.screens.dialogs import Confirm

KINDS = {"few-shot": "Few-shot example", "term-sheet": "Term sheet", "instruction": "Instruction"}
SUMMARY_WIDTH = 72


def _reason(exc: Exception) -> str:
    """API errors read well as they are; anything else (a bug) names its type."""
    return str(exc) if isinstance(exc, Chat2QueryError) else f"{type(exc).__name__}: {exc}"


def pick_base(bases: list[KnowledgeBase], cluster_id: str, database: str) -> KnowledgeBase | None:
    """The database's knowledge base (its default first). A service that leaves out the database
    in its list answer gets its default base."""
    mine = [b for b in bases if b.database == database and b.cluster_id in (None, cluster_id)]
    if not mine and bases and all(b.database is None for b in bases):
        mine = bases
    return max(mine, key=lambda b: (b.default, -b.knowledge_base_id)) if mine else None


def item_summary(item: KnowledgeData) -> str:
    """One line for the list."""
    raw = item.raw_data
    if isinstance(raw, FewShot):
        text = f"{raw.question} → {raw.answer}"
    elif isinstance(raw, TermSheet):
        text = f"{', '.join(raw.term)}: {raw.description}"
    elif isinstance(raw, Instruction):
        text = raw.instruction
    else:
        text = str(raw)
    flat = " ".join(text.split())
    return flat if len(flat) <= SUMMARY_WIDTH else flat[: SUMMARY_WIDTH - 1] + "…"


def counter_text(text: str) -> str:
    return f"{len(text)}/{INSTRUCTION_MAX_CHARS}"


class KnowledgeScreen(Screen[None]):
    """The knowledge base editor of the connection's database."""

    CSS_PATH = "knowledge.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="kb-close", tooltip="Back to the chat."),
        Binding("ctrl+n", "new", "New item", id="kb-new", tooltip="Start a new knowledge item."),
        Binding("ctrl+s", "save", "Save", id="kb-save", tooltip="Add the new item or save the edited one."),
        Binding("delete", "delete", "Delete", id="kb-delete", tooltip="Delete the selected item."),
        Binding("f5", "reload", "Reload", id="kb-reload", tooltip="Read the knowledge base again."),
    ]

    class Loaded(Message):
        def __init__(self, base: KnowledgeBase, items: list[KnowledgeData], *, created: bool = False) -> None:
            super().__init__()
            self.base = base
            self.items = items
            self.created = created

    class Failed(Message):
        def __init__(self, action: str, reason: str) -> None:
            super().__init__()
            self.action = action
            self.reason = reason

    class Changed(Message):
        """An item was added, edited or deleted (public: bubbles to the app)."""

        def __init__(self, knowledge_base_id: int, what: str) -> None:
            super().__init__()
            self.knowledge_base_id = knowledge_base_id
            self.what = what

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn
        self.base: KnowledgeBase | None = None
        self.items: list[KnowledgeData] = []
        self.editing: KnowledgeData | None = None  # None: the form is a new item
        self.kind = "few-shot"

    def compose(self) -> ComposeResult:
        yield Static(f"Knowledge base · {self.conn.database} · loading…", id="kb-header", markup=False)
        with Horizontal(id="kb-body"):
            yield OptionList(id="kb-list")
            with Vertical(id="kb-form"):
                yield Label("Type")
                yield Select([(label, kind) for kind, label in KINDS.items()], value=self.kind,
                             allow_blank=False, id="kb-type")
                with ContentSwitcher(initial="kb-form-few-shot", id="kb-forms"):
                    with Vertical(id="kb-form-few-shot"):
                        yield Label("Question")
                        yield Input(id="kb-question", placeholder="How many companies are in each sector?")
                        yield Label("SQL answer")
                        yield TextArea(id="kb-answer", soft_wrap=True)
                    with Vertical(id="kb-form-term-sheet"):
                        yield Label("Terms (comma-separated synonyms)")
                        yield Input(id="kb-terms", placeholder="market cap, capitalisation")
                        yield Label("Description")
                        yield TextArea(id="kb-term-description", soft_wrap=True)
                    with Vertical(id="kb-form-instruction"):
                        yield Label("Instruction")
                        yield TextArea(id="kb-instruction", soft_wrap=True)
                        yield Static(counter_text(""), id="kb-counter", markup=False)
                with Horizontal(id="kb-buttons"):
                    yield Button("Add", variant="primary", id="kb-save-button")
                    yield Button("New", id="kb-new-button")
                    yield Button("Delete", variant="error", id="kb-delete-button", disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        for area in self.query(TextArea):
            area.cursor_blink = False
        for field in self.query(Input):
            field.cursor_blink = False
        self.query_one("#kb-form").border_title = "New item"
        self.query_one("#kb-list").border_title = "Items"
        self.query_one(OptionList).focus()
        self._load()

    # ------------------------------------------------------------ workers (they only post)

    @work(exclusive=True, group="knowledge", exit_on_error=False)
    async def _load(self) -> None:
        client, conn = self.conn.client, self.conn
        try:
            base = pick_base(await client.list_knowledge_bases(), conn.cluster_id, conn.database)
            created = base is None
            if base is None:
                base = await client.create_knowledge_base(
                    conn.cluster_id, conn.database, f"Knowledge of {conn.database}"
                )
            items = await client.list_knowledge_data(base.knowledge_base_id)
        except Exception as exc:
            self.post_message(self.Failed("load", _reason(exc)))
            return
        self.post_message(self.Loaded(base, items, created=created))

    # not exclusive: cancelling a write half-way could lose a save the user made a moment ago
    @work(group="knowledge-write", exit_on_error=False)
    async def _write(self, base: KnowledgeBase, data_id: int | None, raw: KnowledgeRaw | None) -> None:
        """Add (`data_id` None), update, or delete (`raw` None) an item, then read the list again."""
        client = self.conn.client
        kb = base.knowledge_base_id
        try:
            if raw is None:
                assert data_id is not None
                await client.delete_knowledge_data(kb, data_id)
                what = "deleted"
            elif data_id is None:
                await client.add_knowledge_data(kb, raw)
                what = "added"
            else:
                await client.update_knowledge_data(kb, data_id, raw)
                what = "saved"
            items = await client.list_knowledge_data(kb)
        except Exception as exc:
            self.post_message(self.Failed("save" if raw is not None else "delete", _reason(exc)))
            return
        self.post_message(self.Changed(kb, what))
        self.post_message(self.Loaded(base, items))

    # ------------------------------------------------------------ handlers (they change state)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.base, self.items = event.base, event.items
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(
            Option(Content.assemble((f"{item.type:<12}", "bold $text-accent"), item_summary(item)),
                   id=str(item.knowledge_data_id))
            for item in self.items
        )
        if self.items:
            listing.highlighted = min(highlighted or 0, len(self.items) - 1)
        count = len(self.items)
        self.query_one("#kb-header", Static).update(
            f"Knowledge base #{event.base.knowledge_base_id} · {self.conn.database} · "
            f"{count} item{'' if count == 1 else 's'}"
        )
        if event.created:
            self.notify(f"Created a knowledge base for {self.conn.database}.", title="Knowledge")
        if self.editing is not None:  # the edited item is gone or changed: start afresh
            current = self._item(self.editing.knowledge_data_id)
            if current is not None:
                self._edit(current)
            else:
                self.action_new()
        self._update_buttons()

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.notify(f"Could not {event.action} knowledge: {event.reason}", severity="error",
                    title="Knowledge")

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        self.notify(f"Knowledge item {event.what}.", title="Knowledge")
        if event.what == "added":
            self.action_new()

    @on(OptionList.OptionSelected, "#kb-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        item = self._item(int(event.option.id or 0))
        if item is not None:
            self._edit(item)

    @on(Select.Changed, "#kb-type")
    def _kind_picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in KINDS:
            self.kind = event.value
            self.query_one(ContentSwitcher).current = f"kb-form-{self.kind}"
            self._update_buttons()

    @on(TextArea.Changed, "#kb-instruction")
    def _instruction_typed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        counter = self.query_one("#kb-counter", Static)
        counter.update(counter_text(text))
        counter.set_class(len(text) > INSTRUCTION_MAX_CHARS, "-over")
        self._update_buttons()

    # ------------------------------------------------------------ actions

    def action_close(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self._load()

    @on(Button.Pressed, "#kb-new-button")
    def action_new(self) -> None:
        self.editing = None
        self._fill(None)
        self.query_one("#kb-type", Select).disabled = False
        self.query_one("#kb-form").border_title = "New item"
        self._update_buttons()

    @on(Button.Pressed, "#kb-save-button")
    def action_save(self) -> None:
        if self.base is None:
            self.notify("The knowledge base is still loading.", severity="warning")
            return
        try:
            raw = self._form_data()
        except ValueError as exc:
            self.notify(str(exc), severity="error", title="Knowledge")
            return
        self._write(self.base, self.editing.knowledge_data_id if self.editing else None, raw)

    @on(Button.Pressed, "#kb-delete-button")
    def action_delete(self) -> None:
        # the list's highlighted item when the list has focus, else the one in the form
        listing = self.query_one(OptionList)
        item = self._highlighted_item() if listing.has_focus else self.editing or self._highlighted_item()
        if self.base is None or item is None or item.knowledge_data_id is None:
            self.notify("Select an item to delete.", severity="warning")
            return
        base, data_id = self.base, item.knowledge_data_id

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._write(base, data_id, None)

        self.app.push_screen(
            Confirm("Delete knowledge", f"Delete this {item.type} item?\n\n{item_summary(item)}",
                    confirm="Delete"),
            confirmed,
        )

    # ------------------------------------------------------------ the form

    def _item(self, data_id: int | None) -> KnowledgeData | None:
        return next((i for i in self.items if i.knowledge_data_id == data_id), None)

    def _highlighted_item(self) -> KnowledgeData | None:
        index = self.query_one(OptionList).highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    def _edit(self, item: KnowledgeData) -> None:
        self.editing = item
        if item.type in KINDS:
            self.kind = item.type
            with self.prevent(Select.Changed):
                self.query_one("#kb-type", Select).value = item.type
            self.query_one(ContentSwitcher).current = f"kb-form-{item.type}"
        self.query_one("#kb-type", Select).disabled = True  # an item keeps its type
        self._fill(item.raw_data)
        self.query_one("#kb-form").border_title = f"Edit {item.type} #{item.knowledge_data_id}"
        self._update_buttons()

    def _fill(self, raw: Any) -> None:
        """Show an item's fields (the other forms are emptied); None empties all."""
        few = raw if isinstance(raw, FewShot) else FewShot(question="", answer="")
        sheet = raw if isinstance(raw, TermSheet) else TermSheet(term=[], description="")
        rule = raw if isinstance(raw, Instruction) else Instruction(instruction="")
        self.query_one("#kb-question", Input).value = few.question
        self.query_one("#kb-answer", TextArea).load_text(few.answer)
        self.query_one("#kb-terms", Input).value = ", ".join(sheet.term)
        self.query_one("#kb-term-description", TextArea).load_text(sheet.description)
        self.query_one("#kb-instruction", TextArea).load_text(rule.instruction)

    def _form_data(self) -> KnowledgeRaw:
        """The form as an API item; ValueError says what is missing or too long."""
        if self.kind == "few-shot":
            question = self.query_one("#kb-question", Input).value.strip()
            answer = self.query_one("#kb-answer", TextArea).text.strip()
            if not question or not answer:
                raise ValueError("A few-shot example needs a question and its SQL answer.")
            return FewShot(question=question, answer=answer)
        if self.kind == "term-sheet":
            terms = [t.strip() for t in self.query_one("#kb-terms", Input).value.split(",") if t.strip()]
            description = self.query_one("#kb-term-description", TextArea).text.strip()
            if not terms or not description:
                raise ValueError("A term sheet needs at least one term and a description.")
            return TermSheet(term=terms, description=description)
        text = self.query_one("#kb-instruction", TextArea).text.strip()
        if not text:
            raise ValueError("An instruction cannot be empty.")
        if len(text) > INSTRUCTION_MAX_CHARS:
            raise ValueError(
                f"An instruction is limited to {INSTRUCTION_MAX_CHARS} characters; this one has {len(text)}."
            )
        return Instruction(instruction=text)

    def _update_buttons(self) -> None:
        too_long = (
            self.kind == "instruction"
            and len(self.query_one("#kb-instruction", TextArea).text) > INSTRUCTION_MAX_CHARS
        )
        save = self.query_one("#kb-save-button", Button)
        save.label = "Save" if self.editing else "Add"
        save.disabled = self.base is None or too_long
        self.query_one("#kb-delete-button", Button).disabled = not self.items
