"""The offline built-in NL-to-SQL engine: lexicon -> linking -> grammar -> plan -> SQL."""

from .engine import BuiltinEngine

__all__ = ["BuiltinEngine"]
