"""Copying from a widget: through the app's `copy_text` (C2QApp: OSC 52 plus its fallbacks, one
notification saying what and where) or, in an app without it, OSC 52 and a notification here."""

from __future__ import annotations

from textual.widget import Widget


def copy(widget: Widget, text: str, what: str) -> None:
    copy_text = getattr(widget.app, "copy_text", None)
    if callable(copy_text):
        copy_text(text, what)
        return
    widget.app.copy_to_clipboard(text)
    widget.notify(f"Copied {what}", markup=False, timeout=3)
