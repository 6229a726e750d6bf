"""Schema and value linking: the question's tokens become mentions of keywords, tables, columns,
values found in the data, numbers and dates. Longest match wins; ambiguity is kept for the grammar.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .index import Index, SchemaRef, ValueRef
from .lexicon import COMMON_SHORT, MONTHS, Token, norm_words, singular, stem, tokenize
from .vocab import AMBIGUOUS, COUNTRIES, FILLER, KEYWORDS, PLACE_CODE_COLUMNS, US_STATES

MAX_NGRAM = 6
_DATE_PREPS = {
    "in",
    "during",
    "since",
    "before",
    "after",
    "of",
    "until",
    "from",
    "to",
    "through",
    "by",
    "till",
    "and",
    "for",
    "between",
}


@dataclass
class Mention:
    start: int
    end: int
    kind: str  # kw | schema | value | number | date | month | quoted | filler | word | punct
    text: str
    kw: str | None = None
    refs: list[SchemaRef] = field(default_factory=list)
    values: list[ValueRef] = field(default_factory=list)
    number: float | None = None
    token: Token | None = None
    used: bool = False
    note: str = ""  # how it was matched, for assumptions (fuzzy, stem, place name)

    @property
    def tables(self) -> list[SchemaRef]:
        return [r for r in self.refs if r.column is None]

    @property
    def columns(self) -> list[SchemaRef]:
        return [r for r in self.refs if r.column is not None]

    def __repr__(self) -> str:
        extra = self.kw or ",".join(f"{r.table}.{r.column or '*'}" for r in self.refs[:3])
        if self.values:
            extra += "|" + ",".join(f"{v.column}={v.value}" for v in self.values[:3])
        if self.number is not None:
            extra += f"#{self.number:g}"
        return f"<{self.kind}:{self.text}:{extra}>"


@dataclass
class Overlay:
    """Per-request phrases: knowledge-base terms and summary descriptions."""

    phrases: dict[tuple[str, ...], list[SchemaRef]] = field(default_factory=dict)
    values: dict[tuple[str, ...], list[ValueRef]] = field(default_factory=dict)
    weak: dict[str, list[SchemaRef]] = field(default_factory=dict)  # single description words


def _value_ok(tokens: list[Token], start: int, end: int) -> bool:
    """Short common words ("us", "it", "all") are values only when written in upper case."""
    if end - start > 1:
        return True
    tok = tokens[start]
    if tok.kind == "quoted":
        return True
    if tok.norm in COMMON_SHORT or len(tok.norm) <= 2:
        return tok.upper
    return tok.norm not in FILLER or tok.upper


def _place_values(idx: Index, phrase: str) -> list[ValueRef]:
    out: list[ValueRef] = []
    for table, code in (("state", US_STATES.get(phrase)), ("country", COUNTRIES.get(phrase))):
        if not code:
            continue
        names = US_STATES if table == "state" else COUNTRIES
        aliases = {code.lower(), *(n for n, c in names.items() if c == code)}
        refs = [r for a in sorted(aliases) for r in idx.values.get(tuple(norm_words(a)), [])]
        for ref in refs:
            col = idx.col(ref.table, ref.column)
            if (
                (any(w in PLACE_CODE_COLUMNS for w in col.words) and table in col.words)
                or (table == "country" and "country" in col.words)
            ) and all((o.table, o.column, o.value) != (ref.table, ref.column, ref.value) for o in out):
                out.append(ValueRef(ref.table, ref.column, ref.value, True, via=phrase))
    return out


def link(question: str, idx: Index, overlay: Overlay | None = None) -> list[Mention]:
    tokens = tokenize(question)
    lem = [t.lemma for t in tokens]
    ov = overlay or Overlay()
    out: list[Mention] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.kind == "number":
            out.append(Mention(i, i + 1, "number", tok.text, number=tok.number, token=tok))
            i += 1
            continue
        if tok.kind == "date":
            out.append(Mention(i, i + 1, "date", tok.norm, token=tok))
            i += 1
            continue
        if tok.kind == "quoted":
            vals = [v for v in idx.values.get(tuple(w.lemma for w in tokenize(tok.text)), [])]
            out.append(Mention(i, i + 1, "value" if vals else "quoted", tok.text, values=vals, token=tok))
            i += 1
            continue
        found: Mention | None = None
        for size in range(min(MAX_NGRAM, n - i), 0, -1):
            span = tokens[i : i + size]
            if any(t.kind in ("number", "date", "quoted") for t in span) and not (
                size > 1 and all(t.kind != "date" for t in span) and _has_exact(idx, lem[i : i + size])
            ):
                continue
            if any(t.kind == "punct" for t in span) and span[0].norm not in ("<", ">", "=", "<=", ">="):
                continue
            key = tuple(lem[i : i + size])
            text = " ".join(t.text for t in span)
            kw = KEYWORDS.get(key) or KEYWORDS.get(tuple(t.norm for t in span))
            refs = list(ov.phrases.get(key, [])) + list(idx.phrases.get(key, []))
            values = [*ov.values.get(key, [])]
            if _value_ok(tokens, i, i + size):
                values += idx.values.get(key, [])
                if size == 1 and tokens[i].upper:
                    values += idx.values.get((tokens[i].norm,), []) if key != (tokens[i].norm,) else []
            places = _place_values(idx, " ".join(t.norm for t in span))
            values += [p for p in places if p not in values]
            if (
                kw
                and (key not in AMBIGUOUS or (not refs and not values))
                and not (size == 1 and values and tokens[i].upper)
            ):
                found = Mention(i, i + size, "kw", text, kw=kw, refs=refs, values=values)
            elif (
                refs
                and (not values or max(r.score for r in refs) >= 2 or (size > 1 and not values[0].exact))
                and not (
                    values and max(r.score for r in refs) < 3 and _column_next(idx, lem, i, size, values)
                )
            ):
                found = Mention(i, i + size, "schema", text, kw=kw, refs=refs, values=values)
            elif values:
                found = Mention(i, i + size, "value", text, kw=kw, refs=refs, values=values)
            elif refs:
                found = Mention(i, i + size, "schema", text, kw=kw, refs=refs)
            elif kw:
                found = Mention(i, i + size, "kw", text, kw=kw)
            if found is None and _value_ok(tokens, i, i + size) and key[-1] not in FILLER | COMMON_SHORT:
                pre = idx.prefixes.get(key, [])
                if pre and (size > 1 or len(key[0]) >= 3) and key[0] not in KEYWORDS_FIRST:
                    found = Mention(i, i + size, "value", text, values=list(pre), note="partial")
            if found:
                break
        if found is None:
            found = _single(tokens, i, idx, ov)
        found.token = tokens[i]
        out.append(found)
        i = found.end
    _months(out, tokens)
    return out


KEYWORDS_FIRST = {k[0] for k in KEYWORDS if len(k) == 1}


def _column_next(idx: Index, lem: list[str], i: int, size: int, values: list[ValueRef]) -> bool:
    """ "Consumer segment", "sector Energy": a value next to the name of its own column is a value."""
    cols = {(v.table, v.column) for v in values}
    for j in (i + size, i - 1):
        if 0 <= j < len(lem):
            refs = idx.phrases.get((lem[j],), [])
            if any((r.table, r.column) in cols for r in refs):
                return True
    return False


def _has_exact(idx: Index, key: list[str]) -> bool:
    return tuple(key) in idx.values


def _single(tokens: list[Token], i: int, idx: Index, ov: Overlay) -> Mention:
    tok = tokens[i]
    if tok.kind == "punct":
        return Mention(i, i + 1, "punct", tok.text)
    lemma = tok.lemma
    if (
        lemma in MONTHS
        and (
            (i + 1 < len(tokens) and tokens[i + 1].kind == "number")
            or (i > 0 and tokens[i - 1].norm in _DATE_PREPS)
        )
        and lemma != "may"
    ) or (lemma == "may" and i + 1 < len(tokens) and tokens[i + 1].kind == "number"):
        return Mention(i, i + 1, "month", tok.text, number=float(MONTHS[lemma]))
    if lemma in FILLER or tok.norm in FILLER:
        return Mention(i, i + 1, "filler", tok.text)
    if lemma in ov.weak:
        return Mention(i, i + 1, "schema", tok.text, refs=list(ov.weak[lemma]), note="description")
    # "selected" -> selection, "founding" -> founded: compare crude stems of one-word phrases
    st = stem(lemma)
    if len(st) >= 4:
        hits = [r for k, refs in idx.phrases.items() if len(k) == 1 and stem(k[0]) == st for r in refs]
        if hits:
            return Mention(i, i + 1, "schema", tok.text, refs=_best(hits), note="stem")
    if len(lemma) >= 5:
        singles = [k[0] for k in idx.phrases if len(k) == 1 and len(k[0]) >= 4]
        close = difflib.get_close_matches(lemma, singles, n=1, cutoff=0.84)
        if close:
            return Mention(
                i, i + 1, "schema", tok.text, refs=list(idx.phrases[(close[0],)]), note=f"fuzzy:{close[0]}"
            )
    return Mention(i, i + 1, "word", tok.text)


def _best(refs: list[SchemaRef]) -> list[SchemaRef]:
    seen: dict[tuple[str, str | None], SchemaRef] = {}
    for r in refs:
        k = (r.table, r.column)
        if k not in seen or r.score > seen[k].score:
            seen[k] = r
    return sorted(seen.values(), key=lambda r: -r.score)


def _months(out: list[Mention], tokens: list[Token]) -> None:
    """Month names that follow a day number ("1 March 2024") are dates too."""
    for m in out:
        if m.kind == "filler" and singular(m.text.lower()) in MONTHS and m.text.lower() != "may":
            m.kind, m.number = "month", float(MONTHS[m.text.lower()])


def closest(idx: Index, words: list[str], k: int = 3) -> tuple[list[str], list[str]]:
    """Tables and columns whose names are closest to the unmapped words, for failure messages."""
    tables = {t: " ".join(tm.words) for t, tm in idx.tables.items()}
    cols = {f"{c.table}.{c.name}": c.phrase for c in idx.all_columns()}

    def score(name: str) -> float:
        return max(difflib.SequenceMatcher(None, w, name).ratio() for w in words) if words else 0.0

    t_sorted = sorted(tables, key=lambda t: -score(tables[t]))[:k]
    c_sorted = sorted(cols, key=lambda c: -score(cols[c]))[:k]
    return t_sorted, c_sorted
