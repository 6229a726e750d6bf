"""A dashboard as a report: one self-contained HTML file (inline CSS, tables, charts drawn here as
inline SVG; no script, no external asset) or Markdown (tables and the SQL of each item).

Headless (never imports Textual). Every piece of text from the server or the database goes through
`html.escape`: an answer's rows are data, and a `<script>` in them must stay text in the report.
"""

from __future__ import annotations

import html
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from c2q_tui import formats
from c2q_tui.dashboards import Dashboard, DashboardItem
from c2q_tui.export import ExportError, ExportExists
from c2q_tui.svgcharts import chart_plan, chart_svg

REPORT_FORMATS = ("html", "markdown")
REPORT_LABELS = {"html": "HTML report", "markdown": "Markdown"}
REPORT_EXTENSIONS = {"html": ".html", "markdown": ".md"}
REPORT_ROWS = 200  # rows of each item written to a report; the rest are counted, not shown

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f5f7;color:#1d232b}
header{padding:1.2rem 2rem;background:#1d2b3a;color:#fff}
header h1{margin:0 0 .3rem 0;font-size:1.5rem}
header p{margin:0;color:#c4cfdb;font-size:.9rem}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1rem;padding:1rem 2rem}
section{background:#fff;border:1px solid #d7dce2;border-radius:6px;padding:1rem;overflow:hidden}
section h2{font-size:1.05rem;margin:0 0 .3rem 0}
.question{color:#5b6673;font-size:.85rem;margin:0 0 .6rem 0}
.error{color:#b3261e}
svg{display:block;max-width:100%;height:auto;margin:.4rem 0}
.tablebox{max-height:320px;overflow:auto}
table{border-collapse:collapse;font-size:.8rem;width:100%}
th,td{border-bottom:1px solid #e6e9ed;padding:.2rem .4rem;text-align:left;white-space:nowrap}
th{background:#f0f2f5;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#5b6673;font-size:.8rem}
details{margin-top:.5rem}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:.8rem;white-space:pre-wrap}
"""


@dataclass(frozen=True)
class ReportExport:
    path: Path
    items: int
    fmt: str

    def message(self) -> str:
        noun = "item" if self.items == 1 else "items"
        return f"Exported a dashboard of {self.items} {noun} as {REPORT_LABELS[self.fmt]} to {self.path}"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cell(value: Any) -> str:
    return formats.cell_text(value)


def _table_html(item: DashboardItem) -> str:
    if not item.columns:
        return '<p class="note">No rows.</p>'
    rows = item.rows[:REPORT_ROWS]
    head = "".join(f"<th>{_e(c)}</th>" for c in item.columns)
    body = []
    for row in rows:
        cells = []
        for value in row:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            kind = ' class="num"' if numeric else ""
            cells.append(f"<td{kind}>{_e(_cell(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    out = (
        f'<div class="tablebox"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    if len(item.rows) > len(rows):
        out += f'<p class="note">Showing {len(rows):,} of {len(item.rows):,} rows.</p>'
    else:
        out += f'<p class="note">{len(rows):,} row{"" if len(rows) == 1 else "s"}.</p>'
    return out


def _item_html(number: int, item: DashboardItem) -> str:
    parts = [f'<section id="item-{number}">', f"<h2>{number}. {_e(item.title)}</h2>"]
    if item.question and item.question != item.title:
        parts.append(f'<p class="question">{_e(item.question)}</p>')
    if item.sql_error:
        parts.append(f'<p class="error">SQL error: {_e(item.sql_error)}</p>')
    else:
        plan = chart_plan(item.columns, item.rows, item.chart_options)
        if plan is not None:
            parts.append(chart_svg(plan, item.columns, item.rows))
        parts.append(_table_html(item))
    if item.sql:
        parts.append(f"<details><summary>SQL</summary><pre><code>{_e(item.sql)}</code></pre></details>")
    parts.append("</section>")
    return "\n".join(parts)


def _stamp(at: float | None) -> str:
    when = datetime.fromtimestamp(at if at is not None else datetime.now(UTC).timestamp(), UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def dashboard_html(board: Dashboard, *, generated_at: float | None = None) -> str:
    """The dashboard as one HTML file; also well-formed XML, so a strict parser can check it."""
    count = len(board.items)
    items = "\n".join(_item_html(i, item) for i, item in enumerate(board.items, 1))
    summary = f"{count} item{'' if count == 1 else 's'} · generated {_stamp(generated_at)} by c2q-tui"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8"/>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
        f"<title>{_e(board.name)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(board.name)}</h1><p>{_e(summary)}</p></header>\n"
        f"<main>\n{items}\n</main>\n</body>\n</html>\n"
    )


def _fence(sql: str) -> str:
    ticks = 3
    while "`" * ticks in sql:
        ticks += 1
    return "`" * ticks


def _line(text: str) -> str:
    return " ".join(formats.terminal_safe(text).split())


def dashboard_markdown(board: Dashboard, *, generated_at: float | None = None) -> str:
    count = len(board.items)
    out = [
        f"# {_line(board.name)}",
        "",
        f"{count} item{'' if count == 1 else 's'} · generated {_stamp(generated_at)} by c2q-tui",
        "",
    ]
    for i, item in enumerate(board.items, 1):
        out += [f"## {i}. {_line(item.title)}", ""]
        if item.question and item.question != item.title:
            out += [f"*{_line(item.question)}*", ""]
        plan = chart_plan(item.columns, item.rows, item.chart_options) if not item.sql_error else None
        if plan is not None:
            out += [f"Chart: {plan.describe()}", ""]
        if item.sql:
            fence = _fence(item.sql)
            out += [fence + "sql", item.sql, fence, ""]
        if item.sql_error:
            out += [f"**SQL error:** {_line(item.sql_error)}", ""]
            continue
        rows = item.rows[:REPORT_ROWS]
        out += [formats.markdown_table(item.columns, rows), ""]
        if len(item.rows) > len(rows):
            out += [f"_Showing {len(rows):,} of {len(item.rows):,} rows._", ""]
    return formats.terminal_safe("\n".join(out).rstrip() + "\n")


def report_format_for(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return None


def with_report_format(path: Path, fmt: str) -> Path:
    if report_format_for(path) is not None:
        return path.with_suffix(REPORT_EXTENSIONS[fmt])
    return path.with_name(path.name + REPORT_EXTENSIONS[fmt])


def export_dashboard(
    board: Dashboard, path: Path, fmt: str, *, overwrite: bool = False, generated_at: float | None = None
) -> ReportExport:
    """Write the report; the file appears whole or not at all (a temporary file renamed into place)."""
    if fmt not in REPORT_FORMATS:
        raise ExportError(f"unknown report format {fmt!r}: use html or markdown")
    if path.is_dir():
        raise ExportError(f"{path} is a folder: give a file name")
    if path.exists() and not overwrite:
        raise ExportExists(path)
    if not path.parent.is_dir():
        raise ExportError(f"no such folder: {path.parent}")
    text = (dashboard_html if fmt == "html" else dashboard_markdown)(board, generated_at=generated_at)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"could not write in {path.parent}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"could not write {path}: {exc.strerror or exc}") from exc
    return ReportExport(path, len(board.items), fmt)
