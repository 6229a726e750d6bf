"""Knowledge base and data summary as linking material: term sheets become synonyms (or whole
phrases), few-shot pairs answer matching questions exactly, simple instructions set defaults, and
summary descriptions give weak single-word links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from c2q_tui.local.engines.base import KnowledgeItem

from .index import Index, SchemaRef
from .lexicon import norm_words, singular
from .linking import Overlay, link
from .vocab import FILLER, KEYWORDS

_GENERIC = FILLER | {
    "table",
    "column",
    "contain",
    "contains",
    "stores",
    "store",
    "each",
    "identifier",
    "unique",
    "value",
    "text",
    "integer",
    "number",
    "date",
    "name",
    "code",
    "type",
    "describe",
    "describes",
    "provides",
    "comprehensive",
    "field",
    "given",
    "refers",
    "refer",
    "represents",
    "represent",
    "indicates",
    "indicate",
    "used",
    "use",
    "such",
    "example",
}


@dataclass
class Knowledge:
    overlay: Overlay
    fewshots: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    default_limit: int | None = None
    notes: list[str] = field(default_factory=list)  # instructions that were applied


def question_key(q: str) -> tuple[str, ...]:
    return tuple(w for w in norm_words(q) if w not in ("the", "a", "an", "please", "?"))


def build_knowledge(idx: Index, summary: dict[str, Any] | None, items: list[KnowledgeItem]) -> Knowledge:
    ov = Overlay(phrases={}, values={}, weak={})
    kn = Knowledge(ov)
    if summary:
        _descriptions(idx, summary, ov)
    for item in items:
        raw = item.raw_data or {}
        if item.kind == "few-shot" and raw.get("question") and raw.get("answer"):
            kn.fewshots.append((question_key(str(raw["question"])), str(raw["answer"]).strip()))
        elif item.kind == "term-sheet":
            terms = raw.get("term") or []
            if isinstance(terms, str):
                terms = [terms]
            _term(idx, [str(t) for t in terms], str(raw.get("description") or ""), ov)
        elif item.kind == "instruction":
            _instruction(idx, str(raw.get("instruction") or ""), kn)
    return kn


def _descriptions(idx: Index, summary: dict[str, Any], ov: Overlay) -> None:
    known = {w for k in idx.phrases for w in k}
    hits: dict[str, list[SchemaRef]] = {}
    tables = summary.get("tables") or {}
    for tname, tobj in tables.items() if isinstance(tables, dict) else []:
        if tname not in idx.tables or not isinstance(tobj, dict):
            continue
        cols = tobj.get("columns") or {}
        for cname, cobj in cols.items() if isinstance(cols, dict) else []:
            if cname not in idx.tables[tname].columns or not isinstance(cobj, dict):
                continue
            desc = str(cobj.get("description") or "")
            # only the first sentence: later ones are statistics ("values range from ...")
            first = re.split(r"(?<=[.!?])\s", desc, maxsplit=1)[0]
            for w in set(norm_words(first)):
                if (
                    len(w) >= 4
                    and w not in _GENERIC
                    and w not in known
                    and (w,) not in KEYWORDS
                    and w.isalpha()
                ):
                    hits.setdefault(w, []).append(SchemaRef(tname, cname, 0.8, "description"))
    for w, refs in hits.items():
        if len(refs) <= 2:
            ov.weak[w] = refs


def _term(idx: Index, terms: list[str], description: str, ov: Overlay) -> None:
    if not description:
        return
    mentions = link(description, idx)
    refs = [r for m in mentions if m.kind == "schema" for r in m.refs if r.score >= 1.8]
    values = [v for m in mentions if m.kind == "value" for v in m.values if v.exact]
    for term in terms:
        key = tuple(singular(w) for w in norm_words(term))
        if not key:
            continue
        if values:
            ov.values[key] = values[:1]
        elif refs:
            cols = [r for r in refs if r.column is not None]
            best = (cols or refs)[0]
            ov.phrases[key] = [SchemaRef(best.table, best.column, 3.5, "term")]


_LIMIT = re.compile(r"\b(?:limit|cap|restrict)\b.*?\b(\d+)\s*(?:rows|results|records)?", re.I)
_MEANS = re.compile(
    r"['\"]?([\w ]+?)['\"]?\s+(?:means|refers to|should map to|maps to|is)\s+(?:the\s+)?"
    r"(?:column\s+)?['\"`]?([\w.]+)['\"`]?",
    re.I,
)


def _instruction(idx: Index, text: str, kn: Knowledge) -> None:
    m = _LIMIT.search(text)
    if m:
        kn.default_limit = int(m.group(1))
        kn.notes.append(text)
        return
    m = _MEANS.search(text)
    if m:
        target = m.group(2).lower()
        for c in idx.all_columns():
            if c.name.lower() == target or f"{c.table}.{c.name}".lower() == target:
                key = tuple(singular(w) for w in norm_words(m.group(1)))
                kn.overlay.phrases[key] = [SchemaRef(c.table, c.name, 3.5, "instruction")]
                kn.notes.append(text)
                return
