"""A self-contained HTML report of a `redact stats` release, for a program lead to open in a browser.

Built only from the published JSON (stats.json), so it can show nothing the JSON does not: charts
are inline PNGs (matplotlib, Agg backend), suppressed cells are drawn as blanks with the reason.
"""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

from redact.errors import ConfigError
from redact.stats import COMPLEMENTARY, PRIMARY, PUBLISHED, STATS_HINT, STATUS, TOTAL

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
th{background:#f4f4f4}td.primary{background:#fde2e2}td.complementary{background:#fff3cd}
td.total,th.total{font-weight:bold}.note{color:#555;font-size:.9rem}img{max-width:100%}
"""
MARK = {PRIMARY: "suppressed (small)", COMPLEMENTARY: "suppressed (protects another)"}


def _figure_png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _bar_chart(labels: list[str], values: list[int | None], title: str, ylabel: str) -> str:
    """An <img> with a bar chart; suppressed values are drawn as hatched stubs, labelled."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ConfigError("the HTML report needs matplotlib, which is not installed", hint=STATS_HINT) from exc
    fig = Figure(figsize=(max(4.0, 0.5 * len(labels) + 2), 3.2))
    ax = fig.subplots()
    shown = [v if v is not None else 0 for v in values]
    bars = ax.bar(range(len(labels)), shown, color="#4c78a8")
    stub = max([v for v in values if v is not None] or [1]) * 0.03
    for bar, v in zip(bars, values):
        if v is None:
            ax.bar(bar.get_x() + bar.get_width() / 2, stub, width=bar.get_width(), color="none",
                   edgecolor="#999", hatch="///")
            ax.annotate("s", (bar.get_x() + bar.get_width() / 2, stub), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 6 else 0, ha="right" if len(labels) > 6
                  else "center")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    return (f'<img alt="{escape(title)}" src="data:image/png;base64,{_figure_png(fig)}">'
            '<p class="note">Hatched bars marked "s" are suppressed.</p>')


def _cells(release: dict[str, Any], measure: str) -> list[dict[str, Any]]:
    return [r for r in release["cells"] if r["measure"] == measure]


def _time_series(release: dict[str, Any], time_column: str) -> str:
    """Documents per period: the margin over every other --by column."""
    others = [b for b in release["by"] if b != time_column]
    points = sorted((r[time_column], r["value"]) for r in _cells(release, "documents")
                    if r[time_column] != TOTAL and all(r[o] == TOTAL for o in others))
    if not points:
        return ""
    return "<h2>Volume over time</h2>" + _bar_chart([p for p, _ in points], [v for _, v in points],
                                                     f"Documents per {time_column}", "documents")


def _identifiers(release: dict[str, Any]) -> str:
    totals = sorted((r["measure"].split(":", 1)[1], r["value"]) for r in release["cells"]
                    if r["measure"].startswith("identifiers:") and all(r[b] == TOTAL for b in release["by"]))
    if not totals:
        return ("<h2>Identifiers found by type</h2><p>No identifier counts in this release "
                "(use <code>--detect</code> with <code>--text-column</code>, or a run folder).</p>")
    return "<h2>Identifiers found by type</h2>" + _bar_chart(
        [t for t, _ in totals], [v for _, v in totals], "Identifiers found, all groups", "identifiers")


def _table(release: dict[str, Any], measure: str) -> str:
    """The measure as a grid: first --by column down, the others across, with totals."""
    by, cells = release["by"], _cells(release, measure)
    if not cells:
        return ""
    rows_key = by[0] if by else None
    cols_keys = by[1:]
    row_labels = list(dict.fromkeys(r[rows_key] if rows_key else TOTAL for r in cells))
    col_labels = list(dict.fromkeys(" / ".join(r[c] for c in cols_keys) if cols_keys else measure for r in cells))
    index = {(r[rows_key] if rows_key else TOTAL, " / ".join(r[c] for c in cols_keys) if cols_keys else measure): r
             for r in cells}
    head = "".join(f"<th{' class=total' if TOTAL in c else ''}>{escape(c)}</th>" for c in col_labels)
    body = []
    for row in row_labels:
        tds = []
        for col in col_labels:
            cell = index.get((row, col))
            if cell is None:
                tds.append("<td></td>")
                continue
            css = cell[STATUS] if cell[STATUS] != PUBLISHED else ("total" if TOTAL in (row, col) else "")
            text = "&ndash;" if cell["value"] is None else f"{cell['value']:,}"
            title = f' title="{MARK[cell[STATUS]]}"' if cell[STATUS] in MARK else ""
            tds.append(f'<td class="{css}"{title}>{text}</td>')
        body.append(f"<tr><th{' class=total' if row == TOTAL else ''}>{escape(row)}</th>{''.join(tds)}</tr>")
    corner = escape(f"{by[0]} \\ {' / '.join(cols_keys)}" if cols_keys else (by[0] if by else ""))
    return (f"<h2>{escape(measure.capitalize())} by {escape(', '.join(by) or 'nothing')}</h2>"
            f"<table><tr><th>{corner}</th>{head}</tr>{''.join(body)}</table>")


def _privacy(release: dict[str, Any]) -> str:
    s, p = release["suppression"], release["privacy"]
    parts = [
        "<h2>What was suppressed and why</h2>",
        f"<p>{s['primary']} cells were suppressed because they count fewer than {s['k']} "
        f"(shown <span style='background:#fde2e2'>&ndash; in red</span>), and {s['complementary']} more so "
        "that those cannot be worked out by subtracting from the totals "
        "(<span style='background:#fff3cd'>&ndash; in yellow</span>).</p>",
        f"<p class=note>Rule: {escape(s['rule'])}</p>",
    ]
    if p.get("mechanism", "none") != "none":
        parts.append(f"<p>Differential privacy: {escape(p['mechanism'])}; total epsilon spent "
                     f"<b>{p['epsilon_spent']}</b> (privacy unit: {escape(p['unit'])}). Counts are noisy, "
                     "so small differences between groups mean nothing.</p>")
    else:
        parts.append("<p>No noise was added: published counts are exact.</p>")
    return "".join(parts)


def render(release: dict[str, Any], time_column: str | None = None, title: str = "Program statistics") -> str:
    """The whole report as one HTML string (no external files, scripts or fonts)."""
    measures = "".join(f"<li><b>{escape(m)}</b>: {escape(d)}</li>" for m, d in release["measures"].items())
    sections = [
        f"<h1>{escape(title)}</h1>",
        f"<p>Grouped by {escape(', '.join(release['by']) or 'nothing')}. Every count below "
        f"{release['suppression']['k']} is hidden; participant names and ids never appear in this report.</p>",
        f"<ul>{measures}</ul>",
        _time_series(release, time_column) if time_column in release["by"] else "",
        _identifiers(release),
        _table(release, "documents"),
        _table(release, "participants"),
        _privacy(release),
    ]
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>\n")
