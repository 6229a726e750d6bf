"""The parsed stylesheet, kept between launches: ~12 ms less to the first frame.

Textual parses app.tcss and every widget's DEFAULT_CSS at each launch (~14 ms for the main screen) and
keeps each source's rules in `Stylesheet._parse_cache` for the life of the process. This module writes
those entries to the cache dir once the first frame is up, and puts them back before the next launch
parses anything. The file holds Python's version, which Textual files the rules come from (their size
and time) and the theme's CSS variables (parsing substitutes them), which must all match; every
entry's key holds its CSS text, so an edited stylesheet or another theme simply misses and is parsed
as before. Anything unexpected (a Textual without `_parse_cache`, an unreadable or foreign file)
falls back to parsing; nothing here can stop the app.

The file is a pickle in the user's own cache dir, written 0600, like the history next to it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import Any

import textual
from textual.css import model, styles
from textual.css.stylesheet import Stylesheet

from c2q_tui import paths

PREFIX = "stylesheet-"
FORMAT = 1


def _variables(stylesheet: Stylesheet) -> dict[str, str]:
    variables = getattr(stylesheet, "_variables", None)
    return variables if isinstance(variables, dict) else {}


def _stamp(stylesheet: Stylesheet) -> tuple[Any, ...]:
    """What the rules depend on besides their CSS text. Not `textual.__version__`: it imports
    importlib.metadata (~15 ms); an installed Textual's files change with its version."""
    files = []
    for module in (textual, model, styles):
        try:
            stat = os.stat(module.__file__ or "")
        except OSError:
            return ()
        files.append((module.__name__, stat.st_size, stat.st_mtime_ns))
    return (FORMAT, sys.version, files, sorted(_variables(stylesheet).items()))


def cache_file(stamp: tuple[Any, ...]) -> Path:
    crc = zlib.crc32(repr(stamp).encode())
    return paths.cache_dir() / f"{PREFIX}{crc:08x}.pickle"


def _source_keys(stylesheet: Stylesheet) -> set[tuple[Any, ...]]:
    """The parse-cache keys of the sources the stylesheet holds now."""
    return {(source.content, read_from, source.is_defaults, source.tie_breaker, source.scope)
            for read_from, source in stylesheet.source.items()}


def restore(stylesheet: Stylesheet) -> set[tuple[Any, ...]]:
    """Put the saved rules in the stylesheet's parse cache; the keys restored (empty on a miss)."""
    cache = getattr(stylesheet, "_parse_cache", None)
    if cache is None:
        return set()
    stamp = _stamp(stylesheet)
    try:
        with cache_file(stamp).open("rb") as f:
            saved, entries = pickle.load(f)
        if not stamp or saved != stamp:
            return set()
        restored = set()
        for key, rules in entries:
            cache.set(key, rules)
            restored.add(key)
        return restored
    except Exception:  # missing, partial, or written by something else: parse as usual
        return set()


def save_if_missed(stylesheet: Stylesheet, restored: set[tuple[Any, ...]]) -> bool:
    """Write the parse cache's entries for the current sources if any of them was not restored;
    whether it wrote. Called once the first frame is up, so the file holds what that frame needs."""
    cache = getattr(stylesheet, "_parse_cache", None)
    if cache is None:
        return False
    wanted = _source_keys(stylesheet)
    if wanted <= restored:
        return False
    entries = [(key, rules) for key in wanted if (rules := cache.get(key)) is not None]
    if not entries:
        return False
    stamp = _stamp(stylesheet)
    temp: Path | None = None
    try:
        target = cache_file(stamp)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            for old in target.parent.glob(f"{PREFIX}*.pickle"):  # another theme's or version's
                old.unlink()
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            pickle.dump((stamp, entries), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, target)
        return True
    except Exception:  # a read-only cache dir, unpicklable rules: the next launch parses
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
        return False
