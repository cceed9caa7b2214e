"""An explained training step as HTML: the Markdown walkthrough of
:meth:`mlplab.explain.Trace.to_markdown` turned into headings, formulas and
tables, every text escaped.

>>> print(markdown_html("## Step 1\\n\\n| | 1 |\\n|---|---:|\\n| 1 | 0.5 |"))
<h3>Step 1</h3>
<table><tr><th></th><th>1</th></tr>
<tr><th>1</th><td>0.5</td></tr></table>
"""

from __future__ import annotations

import html
import re

from ..explain import Trace

__all__ = ["markdown_html", "trace_html"]

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Escaped text with ``**bold**`` and ```code``` marked up."""
    out = html.escape(text.strip())
    out = _BOLD.sub(r"<b>\1</b>", out)
    return _CODE.sub(r"<code>\1</code>", out)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _table(rows: list[str]) -> str:
    """A Markdown table (header, rule, body) as an HTML table whose first
    column holds row headers."""
    head = _cells(rows[0])
    lines = ["<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>"]
    for row in rows[2:]:
        cells = _cells(row)
        first, rest = cells[0], cells[1:]
        body = "".join(f"<td>{_inline(c)}</td>" for c in rest)
        lines.append(f"<tr><th>{_inline(first)}</th>{body}</tr>")
    return "\n".join(lines) + "</table>"


def markdown_html(text: str) -> str:
    """The Markdown that ``Trace.to_markdown`` writes, as HTML."""
    out: list[str] = []
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.lstrip().startswith("|"):
            table.append(line)
            continue
        if table:
            out.append(_table(table))
            table = []
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            tag = f"h{min(level + 1, 6)}"
            out.append(f"<{tag}>{_inline(stripped.lstrip('#'))}</{tag}>")
        elif stripped.startswith("`") and stripped.endswith("`"):
            out.append(f'<p class="formula">{_inline(stripped)}</p>')
        else:
            out.append(f"<p>{_inline(stripped)}</p>")
    return "\n".join(out)


def trace_html(trace: Trace, indices: list[int]) -> str:
    """The explained step on the training points ``indices``, as HTML."""
    points = ", ".join(str(i) for i in indices)
    intro = (
        f"<p>The next training step of the current model on training points "
        f"{html.escape(points)} (rows 1, 2, ... of X below), node by node. "
        "The page's model is not changed.</p>"
    )
    return intro + "\n" + markdown_html(trace.to_markdown())
