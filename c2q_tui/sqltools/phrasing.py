"""Conditions and values in words, for the explanations: `close > 100` is "close is greater than 100",
`name LIKE 'A%'` is "name starts with 'A'", `strftime('%Y', d) = '2024'` is "the year of d is '2024'".
"""

from __future__ import annotations

from sqlglot import exp

from c2q_tui.sqltools.common import query_tables
from c2q_tui.sqltools.filters import is_year_of

_COMPARE: dict[type[exp.Expr], str] = {
    exp.EQ: "is",
    exp.NEQ: "is not",
    exp.GT: "is greater than",
    exp.GTE: "is at least",
    exp.LT: "is less than",
    exp.LTE: "is at most",
    exp.NullSafeEQ: "is (NULL-safe)",
}


class Phrases:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def sql(self, node: exp.Expr, limit: int = 80) -> str:
        if any(True for _ in node.find_all(exp.Identifier)):
            node = node.copy()  # prose reads better without `quotes` around every name
            for ident in node.find_all(exp.Identifier):
                ident.set("quoted", False)
        text = " ".join(node.sql(dialect=self.dialect).split())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    # -- conditions -----------------------------------------------------------------------------

    def condition(self, node: exp.Expr) -> str:
        if isinstance(node, exp.Paren):
            return self.condition(node.this)
        if isinstance(node, exp.And):
            return " and ".join(self.nested(p) for p in node.flatten())
        if isinstance(node, exp.Or):
            return "either " + " or ".join(self.nested(p) for p in node.flatten())
        if isinstance(node, exp.Not):
            inner = node.this.this if isinstance(node.this, exp.Paren) else node.this
            if isinstance(inner, exp.In | exp.Like | exp.ILike | exp.Is | exp.Between | exp.Exists):
                return self.predicate(inner, negate=True)
            return f"it is not true that {self.condition(inner)}"
        return self.predicate(node, negate=bool(node.args.get("negate")))

    def nested(self, node: exp.Expr) -> str:
        inner = node.this if isinstance(node, exp.Paren) else node
        said = self.condition(inner)
        return f"({said})" if isinstance(inner, exp.And | exp.Or) else said

    def operand(self, node: exp.Expr) -> str:
        if is_year_of(node):
            col = node.find(exp.Column)
            if col is not None:
                return f"the year of {self.sql(col)}"
        if isinstance(node, exp.Subquery | exp.Select):
            tables = query_tables(node)
            return "a value from a subquery" + (f" on {and_list(tables)}" if tables else "")
        return self.sql(node, 60)

    def predicate(self, node: exp.Expr, *, negate: bool = False) -> str:
        no = " not" if negate else ""
        for kind, verb in _COMPARE.items():
            if isinstance(node, kind) and isinstance(node, exp.Binary):
                left, right = node.this, node.expression
                if (
                    isinstance(node, exp.EQ)
                    and isinstance(left, exp.Column)
                    and isinstance(right, exp.Column)
                ):
                    return f"{self.sql(left)} matches {self.sql(right)}"
                return f"{self.operand(left)} {verb} {self.operand(right)}"
        if isinstance(node, exp.Between):
            low, high = self.operand(node.args["low"]), self.operand(node.args["high"])
            return f"{self.operand(node.this)} is{no} between {low} and {high}"
        if isinstance(node, exp.In):
            subject = self.operand(node.this)
            query = node.args.get("query")
            if query is not None:
                tables = query_tables(query)
                over = f" over {and_list(tables)}" if tables else ""
                return f"{subject} is{no} among the values returned by a subquery{over}"
            values = [self.sql(v, 30) for v in node.expressions]
            listed = ", ".join(values[:6]) + (f" (and {len(values) - 6} more)" if len(values) > 6 else "")
            return f"{subject} is{no} one of {listed}"
        if isinstance(node, exp.Is):
            what = "empty (NULL)" if isinstance(node.expression, exp.Null) else self.sql(node.expression)
            return f"{self.operand(node.this)} is{no} {what}"
        if isinstance(node, exp.Like | exp.ILike):
            return self.like(node, negate)
        if isinstance(node, exp.Exists):
            tables = query_tables(node.this)
            over = f" in {and_list(tables)}" if tables else ""
            return f"a matching row {'does not exist' if negate else 'exists'}{over}"
        said = self.sql(node)
        return f"NOT ({said})" if negate else said

    def like(self, node: exp.Like | exp.ILike, negate: bool) -> str:
        subject = self.operand(node.this)
        case = " (ignoring case)" if isinstance(node, exp.ILike) else ""
        pattern = node.expression
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            p = pattern.this
            body = p.strip("%")
            plain = "%" not in body and "_" not in body and body
            if plain and p.startswith("%") and p.endswith("%"):
                verb = "contains"
            elif plain and p.endswith("%") and not p.startswith("%"):
                verb = "starts with"
            elif plain and p.startswith("%") and not p.endswith("%"):
                verb = "ends with"
            else:
                verb, body = "matches the pattern", p
            if negate:
                verb = {"contains": "does not contain", "starts with": "does not start with"}.get(
                    verb, "does not end with" if verb == "ends with" else "does not match the pattern"
                )
            return f"{subject} {verb} '{body}'{case}"
        verb = "does not match" if negate else "matches"
        return f"{subject} {verb} the pattern {self.sql(pattern)}{case}"


def and_list(items: list[str], word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"
