"""Pure SQL text helpers for the SQL viewer: pretty-printing, highlighting and diffs.

Nothing here touches a widget, so every function can be unit-tested and reused (export,
the CLI). sqlglot and the pygments lexers are imported on first use: together they cost
~100 ms, which does not belong on the app's start-up path (see performance.md §5).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, NamedTuple

from pygments.token import Token, _TokenType  # type: ignore[import-untyped]
from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError

if TYPE_CHECKING:
    from pygments.lexer import Lexer  # type: ignore[import-untyped]

# ---------------------------------------------------------------- pretty-printing


def pretty_sql(sql: str, dialect: str = "mysql") -> str:
    """`sql` reformatted by sqlglot, or stripped but otherwise untouched if it cannot be parsed.

    Formatting is cosmetic, so it must never fail: any sqlglot error (unparseable text, an
    unknown dialect, the odd internal error on strange input) falls back to the original.
    """
    text = sql.strip()
    if not text:
        return ""
    import sqlglot
    from sqlglot.errors import ErrorLevel

    try:
        statements = sqlglot.transpile(
            text, read=dialect, write=dialect, pretty=True, unsupported_level=ErrorLevel.IGNORE
        )
    except Exception:  # see the docstring: any failure means "show it as written"
        return text
    statements = [statement for statement in statements if statement.strip()]
    return ";\n\n".join(statements) if statements else text


def warm_up() -> None:
    """Import and exercise sqlglot and the lexers, e.g. from a thread worker after the first frame.

    The first transpile costs ~25 ms plus a ~60 ms import; paying it in the background keeps
    the first answer's SQL from stalling the UI.
    """
    pretty_sql("SELECT a, COUNT(*) FROM t WHERE b > 1 GROUP BY a")
    _lexer("mysql")


# ---------------------------------------------------------------- highlighting


@dataclass(frozen=True)
class SqlPalette:
    """Resolved colours for SQL text, taken from the app theme's CSS variables."""

    text: str = "#E0E0E0"
    muted: str = "#8A8A8A"
    keyword: str = "#57A5E2"
    function: str = "#FFC473"
    type: str = "#C4A7E7"
    string: str = "#8AD4A1"
    number: str = "#FFC473"
    error: str = "#D17E92"
    success: str = "#8AD4A1"
    error_background: str = "#441E27"
    success_background: str = "#24452E"

    @classmethod
    def from_variables(cls, variables: Mapping[str, str]) -> SqlPalette:
        """Build a palette from `App.theme_variables`, keeping defaults for anything unusable.

        Only concrete colours are accepted: variables such as `$text` are "auto 87%", which
        only means something to Textual's CSS, not to a Rich `Style`.
        """
        roles = {
            "text": "foreground",
            "muted": "foreground-muted",
            "keyword": "text-primary",
            "function": "text-accent",
            "type": "text-secondary",
            "string": "text-success",
            "number": "text-warning",
            "error": "text-error",
            "success": "text-success",
            "error_background": "error-muted",
            "success_background": "success-muted",
        }
        background = _parse_colour(variables.get("background")) or Color(18, 18, 18)
        resolved: dict[str, str] = {}
        for role, variable in roles.items():
            colour = _parse_colour(variables.get(variable))
            if colour is None or colour.a == 0:  # a clear colour would hide the text
                continue
            # Rich has no alpha, so a translucent theme colour is flattened onto the background
            resolved[role] = (background + colour).hex6 if colour.a < 1 else colour.hex6
        return cls(**resolved)


def _parse_colour(value: str | None) -> Color | None:
    if value is None:
        return None
    try:
        return Color.parse(value)
    except ColorParseError:
        return None


# Most specific first is not needed: lookup walks each token type up to its parents.
_TOKEN_ROLES: dict[_TokenType, str] = {
    Token.Keyword: "keyword",
    Token.Keyword.Type: "type",
    Token.Name.Builtin: "function",
    Token.Name.Function: "function",
    Token.Name.Constant: "type",
    Token.Literal.String: "string",
    Token.Literal.Number: "number",
    Token.Comment: "comment",
    Token.Error: "error",
}

_DIALECT_LEXERS = {
    "mysql": "mysql",
    "tidb": "mysql",
    "doris": "mysql",
    "singlestore": "mysql",
    "starrocks": "mysql",
    "postgres": "postgresql",
    "tsql": "tsql",
}


@lru_cache(maxsize=8)
def _lexer(dialect: str) -> Lexer:
    # a lexer keeps no state between get_tokens calls, and building one costs more than lexing a line
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]

    # stripnl=False keeps leading blank lines, so line numbers match the text
    return get_lexer_by_name(_DIALECT_LEXERS.get(dialect.lower(), "sql"), stripnl=False)


def token_styles(palette: SqlPalette) -> dict[str, Style]:
    """The Rich style for each token role of `_TOKEN_ROLES`."""
    return {
        "keyword": Style(color=palette.keyword, bold=True),
        "type": Style(color=palette.type),
        "function": Style(color=palette.function),
        "string": Style(color=palette.string),
        "number": Style(color=palette.number),
        "comment": Style(color=palette.muted, italic=True),
        "error": Style(color=palette.error),
    }


def _role(token_type: _TokenType) -> str | None:
    current: _TokenType | None = token_type
    while current is not None:
        role = _TOKEN_ROLES.get(current)
        if role is not None:
            return role
        current = current.parent
    return None


def highlight_sql(sql: str, palette: SqlPalette | None = None, dialect: str = "mysql") -> Text:
    """`sql` as a Rich `Text`, coloured by pygments tokens in the palette's colours.

    The plain text is exactly `sql` (the lexer's trailing newline is dropped), so offsets and
    line numbers computed on the input hold for the result.
    """
    styles = token_styles(palette or SqlPalette())
    text = Text(no_wrap=True, end="")
    for token_type, value in _lexer(dialect).get_tokens(sql):
        role = _role(token_type)
        text.append(value, styles[role] if role else None)
    if text.plain.endswith("\n") and not sql.endswith("\n"):
        text.right_crop(1)
    return text


def line_numbers(count: int, start: int = 1) -> str:
    """Right-aligned line numbers, one per line, for a gutter."""
    width = len(str(start + max(count, 1) - 1))
    return "\n".join(str(number).rjust(width) for number in range(start, start + count))


# ---------------------------------------------------------------- diffs

DiffTag = Literal[" ", "-", "+"]


class DiffLine(NamedTuple):
    """One line of a full-context unified diff, with its line number on each side."""

    tag: DiffTag
    text: str
    old_number: int | None
    new_number: int | None


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """A unified line diff of `old` and `new` with every line kept as context.

    Refined SQL is short, so showing the whole statement with changes marked reads better
    than hunks; a replaced block lists its removed lines before its added ones.
    """
    old_lines, new_lines = old.splitlines(), new.splitlines()
    result: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result.extend(
                DiffLine(" ", old_lines[i], i + 1, j + 1)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        result.extend(DiffLine("-", old_lines[i], i + 1, None) for i in range(i1, i2))
        result.extend(DiffLine("+", new_lines[j], None, j + 1) for j in range(j1, j2))
    return result


def unified_diff(old: str, new: str, context: int = 3) -> str:
    """A standard `diff -u` text of the two statements, e.g. for copying or export."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), "before.sql", "after.sql", n=context, lineterm=""
    )
    return "\n".join(lines)


class SideBySideRow(NamedTuple):
    """One row of a side-by-side diff; a side is None where that statement has no line."""

    left: str | None
    right: str | None
    changed: bool


def side_by_side(old: str, new: str) -> list[SideBySideRow]:
    """Pair the lines of `old` and `new`, aligning replaced blocks line by line."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[SideBySideRow] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = old_lines[i1:i2], new_lines[j1:j2]
        for index in range(max(len(left), len(right))):
            rows.append(
                SideBySideRow(
                    left[index] if index < len(left) else None,
                    right[index] if index < len(right) else None,
                    op != "equal",
                )
            )
    return rows


def render_unified(
    lines: list[DiffLine], palette: SqlPalette | None = None, dialect: str = "mysql"
) -> tuple[str, Text]:
    """The gutter ("old new" line numbers) and body of a unified diff.

    Context lines keep their syntax colours; removed and added lines are drawn in the
    theme's error and success colours on a tinted background, marked with "-" and "+".
    """
    palette = palette or SqlPalette()
    removed = Style(color=palette.error, bgcolor=palette.error_background)
    added = Style(color=palette.success, bgcolor=palette.success_background)
    width = len(str(max((max(line.old_number or 0, line.new_number or 0) for line in lines), default=1)))
    gutter: list[str] = []
    body = Text(no_wrap=True, end="")
    for index, line in enumerate(lines):
        old_no = str(line.old_number) if line.old_number else ""
        new_no = str(line.new_number) if line.new_number else ""
        gutter.append(f"{old_no.rjust(width)} {new_no.rjust(width)}")
        if index:
            body.append("\n")
        if line.tag == " ":
            body.append("  ")
            body.append_text(highlight_sql(line.text, palette, dialect))
        else:
            body.append(f"{line.tag} {line.text}", removed if line.tag == "-" else added)
    return "\n".join(gutter), body


def render_side_by_side(
    rows: list[SideBySideRow], palette: SqlPalette | None = None, gap: str = " │ "
) -> Text:
    """Old statement on the left, new on the right; changed lines in error/success colours."""
    palette = palette or SqlPalette()
    removed = Style(color=palette.error, bgcolor=palette.error_background)
    added = Style(color=palette.success, bgcolor=palette.success_background)
    width = max((len(row.left or "") for row in rows), default=0)
    body = Text(no_wrap=True, end="")
    for index, row in enumerate(rows):
        if index:
            body.append("\n")
        left, right = row.left or "", row.right or ""
        body.append(left.ljust(width), removed if row.changed and row.left is not None else None)
        body.append(gap, Style(color=palette.muted))
        body.append(right, added if row.changed and row.right is not None else None)
    return body
