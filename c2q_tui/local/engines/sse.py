"""A small Server-Sent Events line parser, fed one decoded line at a time (sync or async readers alike).

It follows the WHATWG rules that matter for Chat2DB's Spring `SseEmitter` and OpenAI-style streams:
`data:` with or without the space, several `data:` lines joined with newlines, `:` comment lines,
`id:` / `event:` fields, and a blank line ending the event. An event still pending when the stream
ends is handed out by `finish()` with `complete=False`, so a caller can tell a cut-off tail (often half
a JSON object) from a finished event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DONE = "[DONE]"


@dataclass(frozen=True)
class SseEvent:
    data: str
    event: str = "message"
    id: str | None = None
    complete: bool = True  # False: the stream ended before the blank line that closes the event

    @property
    def done(self) -> bool:
        """The `[DONE]` terminator, sent as the data or (Chat2DB's server) as the event id."""
        return self.data.strip() == DONE or (self.id or "").strip() == DONE


@dataclass
class SseParser:
    _data: list[str] = field(default_factory=list)
    _event: str = ""
    _id: str | None = None
    _seen_field: bool = False

    def feed(self, line: str) -> SseEvent | None:
        """One line without its line ending; returns the event this line completes, if any."""
        line = line.rstrip("\r\n")
        if not line:
            return self._dispatch(complete=True)
        if line.startswith(":"):
            return None  # comment / keep-alive
        name, sep, value = line.partition(":")
        if not sep:
            value = ""
        elif value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        elif name == "retry":
            pass
        else:
            return None  # unknown field: ignored, as the spec says
        self._seen_field = True
        return None

    def finish(self) -> SseEvent | None:
        """The event left without a closing blank line when the stream ended, marked incomplete."""
        return self._dispatch(complete=False)

    def _dispatch(self, *, complete: bool) -> SseEvent | None:
        if not self._seen_field:
            return None
        event = SseEvent(
            data="\n".join(self._data), event=self._event or "message", id=self._id, complete=complete
        )
        self._data, self._event, self._id, self._seen_field = [], "", None, False
        if not event.data and not event.done:
            return None  # an id-only or event-only block carries nothing to deliver
        return event


def raw_event(line: str) -> SseEvent | None:
    """Tolerate servers that write bare JSON lines or a bare `[DONE]` instead of `data:` fields."""
    stripped = line.strip()
    if stripped == DONE or stripped.startswith("{"):
        return SseEvent(data=stripped)
    return None


def chunk_text(value: Any) -> str:
    """The text of one streamed chunk: Chat2DB's `{"role","content"}` / `{"content"}` (or an envelope's
    `data` holding one), an OpenAI `choices[0].delta` / `.message`, or a bare string."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("content"), str):
            return str(value["content"])
        if "data" in value:
            return chunk_text(value["data"])
        choices = value.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            inner = choices[0].get("delta") or choices[0].get("message") or {}
            return chunk_text(inner)
    return ""
