"""Tokenising and normalising questions: words, numbers ("1.5 billion", "100k"), dates, singulars.

Everything here is schema-independent English; schema words come from `index.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""(?P<quoted>"[^"]+"|'[^']{2,}'(?=\s|$|[,.?!;:]))
      |(?P<date>\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2})
      |(?P<number>[$€£]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE]\d+)?(?:\s?(?:%|k|m|mm|mn|bn|b|tn|t)\b)?)
      |(?P<word>[A-Za-z][\w]*(?:[-&.'][\w]+)*\.?|&)
      |(?P<punct>[,;?!()<>=]+)""",
    re.VERBOSE,
)

MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
    "trillions": 1e12,
}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
# Short words that are also common values or tickers ("US", "IT", "ALL") only count as values
# when written in upper case.
COMMON_SHORT = {
    "a",
    "an",
    "as",
    "at",
    "be",
    "by",
    "do",
    "go",
    "he",
    "hi",
    "i",
    "in",
    "is",
    "it",
    "me",
    "my",
    "no",
    "of",
    "on",
    "or",
    "so",
    "to",
    "up",
    "us",
    "we",
    "all",
    "and",
    "any",
    "are",
    "but",
    "can",
    "for",
    "get",
    "has",
    "how",
    "its",
    "new",
    "not",
    "now",
    "one",
    "our",
    "out",
    "per",
    "see",
    "the",
    "top",
    "was",
    "who",
    "why",
    "you",
    "ok",
    "am",
    "low",
    "max",
    "min",
    "avg",
    "key",
    "day",
    "may",
}

_IRREGULAR = {
    "people": "person",
    "children": "child",
    "men": "man",
    "women": "woman",
    "indices": "index",
    "indexes": "index",
    "data": "data",
    "media": "media",
    "criteria": "criterion",
    "series": "series",
    "species": "species",
    "news": "news",
    "analyses": "analysis",
    "statuses": "status",
    "gas": "gas",
    "sales": "sale",
    "address": "address",
    "addresses": "address",
    "business": "business",
    "businesses": "business",
    "class": "class",
    "classes": "class",
    "status": "status",
    "bus": "bus",
    "canvas": "canvas",
    "plus": "plus",
    "us": "us",
    "its": "its",
    "this": "this",
    "was": "was",
    "has": "has",
    "is": "is",
    "does": "does",
    "as": "as",
    "analysis": "analysis",
    "less": "less",
}


def singular(word: str) -> str:
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) <= 3 or not w.endswith("s") or w.endswith(("ss", "us", "is")):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "xes", "zes", "sses")):
        return w[:-2]
    return w[:-1]


def stem(word: str) -> str:
    """A crude stem so that "selected", "selections" and "selecting" meet at "select"."""
    w = singular(word)
    for suffix in ("ations", "ation", "ings", "ing", "ions", "ion", "ed", "ers", "er", "ment", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


@dataclass
class Token:
    text: str  # as written
    norm: str  # lower case, possessive removed
    kind: str  # word | number | date | quoted | punct
    number: float | None = None
    is_percent: bool = False
    has_unit: bool = False  # "1 trillion", "$5", "100k": clearly an amount, not a count or a year
    mult: float = 1.0  # the multiplier word that followed ("billion" -> 1e9)

    @property
    def lemma(self) -> str:
        return singular(self.norm) if self.kind == "word" else self.norm

    @property
    def upper(self) -> bool:
        return self.text.isupper() and len(self.text) >= 2


def _parse_number(raw: str) -> tuple[float, bool, bool]:
    s = raw.strip().lower()
    unit = s[:1] in "$€£"
    s = s.lstrip("$€£").replace(",", "")
    percent = s.endswith("%")
    s = s.rstrip("%").strip()
    mult = 1.0
    m = re.match(r"^([\d.e]+)\s*([a-z]+)$", s)
    if m and m.group(2) in MULTIPLIERS:
        s, mult, unit = m.group(1), MULTIPLIERS[m.group(2)], True
    return float(s) * mult, percent, unit


def tokenize(question: str) -> list[Token]:
    """Split a question into tokens; numbers absorb a following multiplier ("1.5 billion")."""
    text = question.replace("’", "'").replace("“", '"').replace("”", '"')
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "word"
        raw = m.group(0)
        if kind == "quoted":
            inner = raw[1:-1]
            tokens.append(Token(inner, inner.lower(), "quoted"))
        elif kind == "date":
            tokens.append(Token(raw, raw.replace("/", "-"), "date"))
        elif kind == "number":
            value, pct, unit = _parse_number(raw)
            tokens.append(Token(raw, raw.lower(), "number", value, pct, unit))
        elif kind == "punct":
            tokens.append(Token(raw, raw, "punct"))
        else:
            word = raw.rstrip(".") if not re.fullmatch(r"(?:[A-Za-z]\.){2,}", raw) else raw
            norm = word.lower()
            if norm.endswith("'s"):
                norm, word = norm[:-2], word[:-2]
            elif norm.endswith("'"):
                norm, word = norm[:-1], word[:-1]
            if not norm:
                continue
            prev = tokens[-1] if tokens else None
            if prev is not None and prev.kind == "number" and norm in MULTIPLIERS and not prev.has_unit:
                prev.number = (prev.number or 0) * MULTIPLIERS[norm]
                prev.has_unit = True
                prev.mult = MULTIPLIERS[norm]
                prev.text += " " + word
                continue
            if (
                prev is not None
                and prev.kind == "number"
                and norm in ("dollar", "dollars", "usd", "euro", "euros", "eur", "bucks")
            ):
                prev.has_unit = True
                continue
            if prev is not None and prev.kind == "number" and norm in ("percent", "pct"):
                prev.is_percent = True
                continue
            if norm in NUMBER_WORDS and not (norm == "one" and prev is not None and prev.norm == "which"):
                tokens.append(Token(word, norm, "number", float(NUMBER_WORDS[norm])))
                continue
            tokens.append(Token(word, norm, "word"))
    return tokens


def words_of(name: str) -> list[str]:
    """Identifier to lower-case words: "marketCap", "market_cap" and "Market Cap" give market, cap."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[\s_\-./]+", spaced.lower()) if w]


def norm_words(text: str) -> list[str]:
    """Free text (a value, a description) to the same lemmas as question tokens."""
    return [singular(t.norm) if t.kind == "word" else t.norm for t in tokenize(text) if t.kind != "punct"]


def fmt_number(x: float) -> str:
    if x == int(x):
        n = int(x)
        for div, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
            if abs(n) >= div and n % (div // 100) == 0:
                return f"{n / div:g} {word}"
        return f"{n:,}"
    return f"{x:g}"
