"""A self-contained HTML report of a `redact stats` release, for a program manager to open in a browser.

Built only from the published JSON (stats.json), so it can show nothing the JSON does not. One
file: inline CSS and inline SVG charts (redact.charts), no script, font or image to fetch. Every
chart has a text alternative and its data in a table; every table says what was suppressed and why.
"""

from __future__ import annotations

from html import escape
from typing import Any

from redact.charts import bar_chart
from redact.stats import STATUS, SUPPRESSED, TOTAL, UNKNOWN

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;
color:#1f1f1f;line-height:1.45}
h1{margin-bottom:.25rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.headline{display:flex;flex-wrap:wrap;gap:1rem;margin:1.2rem 0;padding:0;list-style:none}
.headline li{border:1px solid #d5dbe3;border-radius:.4rem;padding:.6rem 1rem;min-width:9rem;background:#f7f9fc}
.headline b{display:block;font-size:1.6rem}.headline span{color:#555;font-size:.9rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:.5rem 0 1rem}
caption{caption-side:top;text-align:left;color:#444;font-size:.9rem;padding-bottom:.4rem}
table{min-width:26rem}
td,th{border:1px solid #ccc;padding:.25rem .55rem;text-align:right}th{background:#f2f4f7}
th[scope=row]{text-align:left}.total{font-weight:bold}td.s{color:#777;background:#f3f3f3}
.note{color:#555;font-size:.9rem}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
svg.chart{max-width:100%;height:auto;display:block}figure{margin:1rem 0}figcaption{color:#444;font-size:.9rem}
details{margin:.3rem 0 1rem}summary{cursor:pointer;color:#2a5590}
"""
WIDE = 8  # more columns than this (and more than rows): the table is turned on its side
LABELS = {"documents": "Documents", "participants": "Distinct participants", "words": "Words"}


def _cells(release: dict[str, Any], measure: str) -> list[dict[str, Any]]:
    return [r for r in release["cells"] if r["measure"] == measure]


def _total(release: dict[str, Any], measure: str) -> dict[str, Any] | None:
    return next((r for r in _cells(release, measure) if all(r[b] == TOTAL for b in release["by"])), None)


def _number(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return ""
    return "suppressed" if cell["value"] is None else f"{cell['value']:,}"


def _td(cell: dict[str, Any] | None, total: bool) -> str:
    if cell is None:
        return "<td></td>"
    if cell[STATUS] == SUPPRESSED:
        return '<td class="s" title="suppressed">&ndash;<span class="sr"> suppressed</span></td>'
    return f'<td{" class=total" if total else ""}>{cell["value"]:,}</td>'


def _caption(release: dict[str, Any], cells: list[dict[str, Any]], measure: str) -> str:
    """What was suppressed in this table and why, in a sentence."""
    return _suppressed_note(release["suppression"]["k"], sum(c[STATUS] == SUPPRESSED for c in cells), len(cells),
                            measure)


def _suppressed_note(k: int, blank: int, cells: int, measure: str) -> str:
    if not blank:
        return f"Nothing suppressed: every value is 0 or at least {k}."
    why = (f"{blank} of {cells} values suppressed (&ndash;): counts from 1 to {k - 1}, "
           "and values that would reveal them")
    return why + (", or whose document count is suppressed." if measure != "documents" else ".")


def _grid(release: dict[str, Any], measure: str, heading: str) -> str:
    """The measure as a grid: first --by column down, the others across, with totals."""
    by, cells = release["by"], _cells(release, measure)
    if not cells:
        return ""
    rows_key, cols_keys = (by[0] if by else None), by[1:]

    def row_of(r):
        return r[rows_key] if rows_key else TOTAL

    def col_of(r):
        return " / ".join(r[c] for c in cols_keys) if cols_keys else (TOTAL if rows_key else measure)

    row_labels = list(dict.fromkeys(row_of(r) for r in cells))
    col_labels = list(dict.fromkeys(col_of(r) for r in cells))
    index = {(row_of(r), col_of(r)): r for r in cells}
    down, across = (by[0] if by else ""), " / ".join(cols_keys)
    if len(col_labels) > WIDE and len(col_labels) > len(row_labels):
        # Many periods read better down the page than across it.
        row_labels, col_labels, down, across = col_labels, row_labels, across, down
        index = {(col, row): cell for (row, col), cell in index.items()}
    corner = escape(f"{down} \u2193 / {across} \u2192" if across else down)
    head = "".join(f'<th scope="col"{" class=total" if TOTAL in c else ""}>{escape(c)}</th>' for c in col_labels)
    body = []
    for row in row_labels:
        tds = "".join(_td(index.get((row, col)), TOTAL in (row, col)) for col in col_labels)
        body.append(f'<tr><th scope="row"{" class=total" if row == TOTAL else ""}>{escape(row)}</th>{tds}</tr>')
    note = ("<p class=note>Distinct participants do not add up across groups (one person can be in several), "
            "so totals are counted, not summed.</p>" if measure == "participants" else "")
    return (f"<h3>{escape(heading)}</h3>{note}<div class=scroll><table><caption>{_caption(release, cells, measure)}"
            f"</caption><tr><th scope=col>{corner}</th>{head}</tr>{''.join(body)}</table></div>")


def _chart(chart_id: str, title: str, points: list[tuple[str, int | None]], caption: str, k: int,
           measure: str = "documents") -> str:
    """A chart, a caption, and its data as a table (the text alternative that needs no SVG)."""
    labels, values = [p for p, _ in points], [v for _, v in points]
    note = _suppressed_note(k, sum(v is None for v in values), len(values), measure)
    rows = "".join(f"<tr><th scope=row>{escape(label)}</th><td{' class=s' if v is None else ''}>"
                   f"{'&ndash;<span class=sr> suppressed</span>' if v is None else f'{v:,}'}</td></tr>"
                   for label, v in points)
    return (f"<figure>{bar_chart(chart_id, labels, values, title)}<figcaption>{caption}</figcaption></figure>"
            f"<details><summary>Data for this chart</summary><table><caption>{escape(title)}. {note}</caption>"
            f"<tr><th scope=col>group</th><th scope=col>value</th></tr>{rows}</table></details>")


def _margin(release: dict[str, Any], measure: str, column: str) -> list[tuple[str, int | None]]:
    """Values of `measure` per label of one --by column, summed over every other column (margins)."""
    others = [b for b in release["by"] if b != column]
    return sorted((r[column], r["value"]) for r in _cells(release, measure)
                  if r[column] != TOTAL and all(r[o] == TOTAL for o in others))


def _headline(release: dict[str, Any], time_column: str | None) -> str:
    items = [(_number(_total(release, m)), LABELS[m].lower()) for m in ("documents", "participants", "words")
             if _total(release, m)]
    if time_column:
        periods = [label for label, v in _margin(release, "documents", time_column) if v != 0 and label != UNKNOWN]
        if periods:
            items.append((escape(periods[0] if len(periods) == 1 else f"{periods[0]} \u2013 {periods[-1]}"),
                          f"period (by {escape(time_column)})"))
    return "<ul class=headline>" + "".join(f"<li><b>{v}</b><span>{label}</span></li>" for v, label in items) + "</ul>"


def _groups(release: dict[str, Any]) -> str:
    notes = []
    for column, group in release.get("groups", {}).items():
        notes.append(f"<li><b>{escape(group['label'])}</b> combines {group['merged']} {escape(column)} "
                     f"group{'s' if group['merged'] != 1 else ''} ({escape(group['reason'])}); a group's name is "
                     f"published only when it stands for at least {release['suppression']['k']} documents.</li>")
    for step in release.get("coarsening", []):
        notes.append(f"<li>Coarsened so that fewer cells are suppressed: {escape(step)}.</li>")
    return "<h2>How the groups were formed</h2><ul>" + "".join(notes) + "</ul>" if notes else ""


def _identifiers(release: dict[str, Any]) -> str:
    totals = [(r["measure"].split(":", 1)[1], r["value"]) for r in release["cells"]
              if r["measure"].startswith("identifiers:") and all(r[b] == TOTAL for b in release["by"])]
    if not totals:
        return ("<h2>Identifiers found by type</h2><p>No identifier counts in this release "
                "(use <code>--detect</code> with <code>--text-column</code>, or a run folder).</p>")
    return "<h2>Identifiers found by type</h2>" + _chart(
        "identifiers", "Identifiers found in the free text, by type, all groups", sorted(totals),
        "Identifiers the detector found (and the export replaces). A type whose count is suppressed is marked s.",
        release["suppression"]["k"], "identifiers")


def _privacy(release: dict[str, Any]) -> str:
    s, p = release["suppression"], release["privacy"]
    parts = [
        "<h2>What was suppressed and why</h2>",
        f"<p>{s['suppressed']} of {s['suppressed'] + s['published']} published cells are suppressed. A count from 1 "
        f"to {s['k'] - 1} could point at a few people, so it is never published; further cells are blanked so that "
        f"no small count can be worked out by subtracting from the totals or narrowed below {s['k']}. Every blank "
        "is marked the same way, so a reader cannot tell which blanks hide a small count.</p>",
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
    time_column = time_column or release.get("time_column")
    by = release["by"]
    types = [m.split(":", 1)[1] for m in release["measures"] if m.startswith("identifiers:")]
    measures = "".join(f"<li><b>{escape(LABELS.get(m, m))}</b>: {escape(d)}</li>"
                       for m, d in release["measures"].items() if not m.startswith("identifiers:"))
    if types:
        measures += (f"<li><b>Identifiers</b> ({escape(', '.join(types))}): identifiers of each type found in "
                     "the free-text columns (one table per type in stats.csv)</li>")
    sections = [f"<h1>{escape(title)}</h1>", _headline(release, time_column)]
    if time_column in by:
        sections.append("<h2>Documents over time</h2>" + _chart(
            "over-time", f"Documents per {time_column}", _margin(release, "documents", time_column),
            f"Documents per {escape(time_column)}, all groups together. A suppressed period is drawn as a "
            "dashed outline marked s.", release["suppression"]["k"]))
    group_columns = [b for b in by if b != time_column]
    points = _margin(release, "documents", group_columns[0]) if group_columns else []
    if len(points) > 1:
        column = group_columns[0]
        sections.append(f"<h2>Documents by {escape(column)}</h2>" + _chart(
            "by-group", f"Documents per {column}", points,
            f"Documents per {escape(column)}, all periods together.", release["suppression"]["k"]))
    sections += [
        _groups(release),
        f"<h2>Tables</h2><p>Grouped by {escape(', '.join(by) or 'nothing (totals only)')}. Every count from 1 to "
        f"{release['suppression']['k'] - 1} is hidden; participant names and ids never appear in this report.</p>",
        f"<ul>{measures}</ul>",
    ]
    for measure in ("documents", "participants", "words"):
        if measure in release["measures"]:
            heading = f"{LABELS[measure]} by {', '.join(by)}" if by else f"{LABELS[measure]}, in total"
            sections.append(_grid(release, measure, heading))
    sections += [_identifiers(release), _privacy(release)]
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8>"
            # No script, no fetch: the policy forbids both even if a label were to smuggle markup in.
            f"<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<meta name=viewport content=\"width=device-width,initial-scale=1\"><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>\n")
