"""Account stage: aggregate statistics safe to publish. Counts only, never a detected value or a
raw identifier.

Three layers, each usable alone:
- cell suppression (`protect`): cells below k, plus complementary cells so that no suppressed
  cell can be worked out from the published totals;
- differential privacy (`add_noise`): discrete Laplace noise through OpenDP, before suppression;
- tabulation (`tabulate`): a prepared DataFrame (one row per document) -> published cells.

`StatsBuilder` keeps the per-run stats.json of `redact run`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from redact.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_K = 11
PUBLISHED, PRIMARY, COMPLEMENTARY = "published", "primary", "complementary"
TOTAL = "(all)"
STATUS = "cell_status"  # not "status": that is a natural --by column of a run folder
OTHER = "(other)"
UNKNOWN = "(unknown)"
STATS_HINT = "pip install 'redact[stats]'"

Cell = tuple[int, int]


def suppress(counts: dict[str, int], k: int = DEFAULT_K) -> dict[str, int | None]:
    """Counts below k (but above zero) become None."""
    return {key: (None if 0 < value < k else value) for key, value in counts.items()}


def suppression_rule(k: int) -> str:
    """The rule in words, written into every output so a reader knows what a blank means."""
    return (f"Primary: every count from 1 to {k - 1} is suppressed (k = {k}); zeros are published. "
            "Complementary: every row or column of a table whose total is published must then hold "
            "no suppressed cell or at least two (the smallest other cell is added, totals included, "
            f"repeated until it holds); if the suppressed cells of such a line add up to less than {k}, "
            "another cell is suppressed; and no suppressed cell may be the only link between two "
            "groups of suppressed cells, so no suppressed value can be solved from the published "
            "totals. Distinct-participant counts are not additive and get primary suppression only.")


# --- cell suppression ---------------------------------------------------------------------------

def table_lines(n_rows: int, n_cols: int, dims: int) -> list[list[Cell]]:
    """Additive relations of a grid: each line's last cell is the sum of the others.

    dims 0: one cell, no relation. dims 1: one row whose last cell is the total. dims 2: the last
    row and column are margins, so every row and every column is a relation (the corner is the
    grand total, in both the margin row and the margin column).
    """
    if dims == 0:
        return []
    rows = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if dims == 1:
        return rows
    return rows + [[(i, j) for i in range(n_rows)] for j in range(n_cols)]


def protect(values: Sequence[Sequence[int]], k: int, dims: int = 2,
            force: Iterable[Cell] = ()) -> list[list[str]]:
    """Status of each cell of a grid laid out as in `table_lines`: published, primary or
    complementary. `force` marks cells suppressed up front (e.g. another measure's pattern)."""
    if k < 1:
        raise ConfigError(f"k must be at least 1, got {k}")
    n_rows, n_cols = len(values), len(values[0]) if values else 0
    value = {(i, j): int(values[i][j]) for i in range(n_rows) for j in range(n_cols)}
    status = {c: (PRIMARY if 0 < v < k else PUBLISHED) for c, v in value.items()}
    for c in force:
        if status[c] == PUBLISHED:
            status[c] = COMPLEMENTARY
    lines = table_lines(n_rows, n_cols, dims)
    cell_lines: dict[Cell, list[int]] = {}
    for n, line in enumerate(lines):
        for c in line:
            cell_lines.setdefault(c, []).append(n)

    def pick(candidates: Iterable[Cell]) -> Cell | None:
        # Smallest first to lose the least; non-zero first, since zeros are often known anyway
        # (a program that had not started yet) and then protect nothing.
        return min(candidates, key=lambda c: (value[c] == 0, value[c], c), default=None)

    def hide(c: Cell | None) -> bool:
        if c is None:
            return False
        status[c] = COMPLEMENTARY
        return True

    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [c for c in line if status[c] != PUBLISHED]
            if len(hidden) == 1:
                changed |= hide(pick(c for c in line if status[c] == PUBLISHED))
                continue
            total, interior = line[-1], line[:-1]
            if status[total] == PUBLISHED and hidden:
                # The attacker knows the hidden cells' sum; a small sum pins each of them down.
                hidden_sum = sum(value[c] for c in interior if status[c] != PUBLISHED)
                if 0 < hidden_sum < k:
                    changed |= hide(pick(c for c in interior if status[c] == PUBLISHED and value[c]))
        if not changed and dims == 2:
            changed = hide(_bridge_complement(status, value, cell_lines))
    grid = [[PUBLISHED] * n_cols for _ in range(n_rows)]
    for (i, j), s in status.items():
        grid[i][j] = s
    return grid


def _bridge_complement(status: dict[Cell, str], value: dict[Cell, int],
                       cell_lines: dict[Cell, list[int]]) -> Cell | None:
    """A cell to suppress so that some suppressed cell stops being solvable, or None.

    Lines are vertices and suppressed cells edges (each cell joins its row and its column). The
    solutions of the hidden cells differ only along cycles of this graph, so a hidden cell on no
    cycle (a bridge) is fixed by the totals even when every line holds two hidden cells.
    """
    edges = {c: tuple(cell_lines[c]) for c, s in status.items() if s != PUBLISHED}
    for bridge, (a, b) in sorted(edges.items()):
        side_a = _component(a, edges, skip=bridge)
        if b in side_a:
            continue
        side_b = _component(b, edges, skip=bridge)
        joining = [c for c, s in status.items() if s == PUBLISHED and
                   ((cell_lines[c][0] in side_a and cell_lines[c][1] in side_b) or
                    (cell_lines[c][0] in side_b and cell_lines[c][1] in side_a))]
        return min(joining, key=lambda c: (value[c] == 0, value[c], c), default=None)
    return None


def _component(start: int, edges: dict[Cell, tuple[int, ...]], skip: Cell) -> set[int]:
    adjacency: dict[int, list[int]] = {}
    for c, (u, v) in edges.items():
        if c != skip:
            adjacency.setdefault(u, []).append(v)
            adjacency.setdefault(v, []).append(u)
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in adjacency.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


# --- differential privacy -----------------------------------------------------------------------

@dataclass(frozen=True)
class Noise:
    """What one noisy release cost: recorded in the output."""

    measure: str
    epsilon: float
    scale: float
    sensitivity: int


def add_noise(counts: Sequence[int], epsilon: float, sensitivity: int) -> tuple[list[int], float, float]:
    """Discrete Laplace noise from OpenDP for integer counts whose L1 sensitivity (under adding or
    removing one row) is `sensitivity`. Returns (noisy counts clamped at 0, epsilon spent, scale)."""
    try:
        import opendp.prelude as dp
    except ImportError as exc:
        raise ConfigError("--epsilon needs OpenDP, which is not installed", hint=STATS_HINT) from exc
    if epsilon <= 0:
        raise ConfigError(f"epsilon must be positive, got {epsilon}")
    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    scale = sensitivity / epsilon
    measurement = dp.m.make_laplace(*space, scale=scale)
    spent = float(measurement.map(sensitivity))
    noisy = measurement([int(c) for c in counts])
    # Clamping is post-processing: it costs no privacy and keeps counts plausible.
    return [max(0, int(n)) for n in noisy], spent, scale


# --- tabulation ---------------------------------------------------------------------------------

WORDS, DOCUMENTS, PARTICIPANTS, ID_PREFIX = "_words", "_documents", "_participant", "_id:"
# Per-row contribution bounds under --epsilon: rows beyond them are clamped before counting.
DP_MAX_WORDS = 2000
DP_MAX_IDENTIFIERS = 20


def pseudonym(value: str, secret: bytes) -> str:
    """Keyed HMAC-SHA256: equal ids stay equal, and without the secret nobody can test a guess."""
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()


def coarsen_dates(series: pd.Series, grain: str = "month") -> pd.Series:
    """Dates as 'YYYY-MM' (month), 'YYYY-Qn' (quarter) or 'YYYY' (year); unparseable ones become
    '(unknown)'. A day is too fine to publish for groups this small."""
    import pandas as pd

    parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[grain]
    return parsed.dt.to_period(freq).astype("string").fillna(UNKNOWN).astype(str)


def recode_rare(series: pd.Series, k: int) -> pd.Series:
    """Values held by fewer than k rows become '(other)': a published label is itself a fact
    (that such a group exists), so every label shown stands for at least k rows."""
    counts = series.value_counts()
    rare = set(counts[counts < k].index)
    return series.where(~series.isin(rare), OTHER) if rare else series


def identifier_counts(texts: Sequence[str], detect: Callable[[Iterable[str]], Iterable[Sequence[Any]]]
                      ) -> list[Counter]:
    """Identifier labels per text (spans from `detect`, e.g. Redactor.detect); values are dropped."""
    return [Counter(span.label for span in spans) for spans in detect(texts)]


@dataclass
class Layout:
    """How the --by columns become a grid: rows from the first column, columns from the rest."""

    by: tuple[str, ...]
    rows: list[str]
    cols: list[tuple[str, ...]]

    @property
    def dims(self) -> int:
        return min(len(self.by), 2)

    def shape(self) -> tuple[int, int]:
        if self.dims == 0:
            return 1, 1
        if self.dims == 1:
            return 1, len(self.rows) + 1
        return len(self.rows) + 1, len(self.cols) + 1

    def key(self, i: int, j: int) -> dict[str, str]:
        """The --by values of grid cell (i, j); '(all)' on margins."""
        if self.dims == 0:
            return {}
        if self.dims == 1:
            return {self.by[0]: self.rows[j] if j < len(self.rows) else TOTAL}
        row = self.rows[i] if i < len(self.rows) else TOTAL
        col = self.cols[j] if j < len(self.cols) else (TOTAL,) * (len(self.by) - 1)
        return dict(zip(self.by, (row, *col)))


@dataclass
class Release:
    """Everything `redact stats` publishes."""

    by: list[str]
    k: int
    records: list[dict[str, Any]]
    measures: dict[str, str]
    noise: list[Noise] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    layout: Layout | None = None

    def to_json(self) -> dict[str, Any]:
        counts = Counter(r[STATUS] for r in self.records)
        privacy: dict[str, Any] = {"mechanism": "none"}
        if self.noise:
            privacy = {
                "mechanism": "discrete Laplace noise (OpenDP), added before suppression",
                "unit": "one row (document); group labels and identifier types treated as public",
                "composition": "basic: epsilon spent is the sum over measures",
                "epsilon_spent": round(sum(n.epsilon for n in self.noise), 6),
                "contribution_bounds": {"words_per_row": DP_MAX_WORDS,
                                        "identifiers_per_row_per_type": DP_MAX_IDENTIFIERS},
                "measures": [{"measure": n.measure, "epsilon": round(n.epsilon, 6), "scale": round(n.scale, 4),
                              "sensitivity": n.sensitivity} for n in self.noise],
            }
        return {
            "source": self.source,
            "by": self.by,
            "measures": self.measures,
            "suppression": {"k": self.k, "rule": suppression_rule(self.k), "primary": counts[PRIMARY],
                            "complementary": counts[COMPLEMENTARY], "published": counts[PUBLISHED]},
            "privacy": privacy,
            "cells": self.records,
        }


MEASURE_HELP = {
    "documents": "rows (documents) in the group",
    "words": "whitespace-separated words in the free-text columns",
    "participants": "distinct participants, counted through keyed pseudonyms (not additive)",
    "identifiers:": "identifiers of this type found in the free-text columns",
}


def tabulate(frame: pd.DataFrame, by: Sequence[str], k: int = DEFAULT_K, epsilon: float | None = None
             ) -> Release:
    """Publishable cells from a prepared frame: one row per document, the --by columns as strings,
    and optionally `_words`, `_participant` (pseudonyms) and `_id:<LABEL>` count columns."""
    by = tuple(by)
    clash = set(by) & {"measure", "value", STATUS}
    if clash:
        raise ConfigError(f"--by column {clash.pop()!r} clashes with an output column", hint="rename it first")
    rows = sorted(frame[by[0]].unique()) if by else []
    cols = sorted(frame[list(by[1:])].drop_duplicates().itertuples(index=False, name=None)) if len(by) > 1 else [()]
    layout = Layout(by, rows, cols)
    frame = frame.assign(**{DOCUMENTS: 1})
    additive = [DOCUMENTS] + ([WORDS] if WORDS in frame else []) + sorted(c for c in frame if c.startswith(ID_PREFIX))
    names = {DOCUMENTS: "documents", WORDS: "words"} | {c: "identifiers:" + c[len(ID_PREFIX):]
                                                       for c in additive if c.startswith(ID_PREFIX)}
    measures = [names[c] for c in additive] + (["participants"] if PARTICIPANTS in frame else [])
    share = epsilon / (1 + (WORDS in frame) + (PARTICIPANTS in frame) + any(c.startswith(ID_PREFIX) for c in frame)) \
        if epsilon else None

    matrices = {c: _matrix(frame, layout, c) for c in additive}
    noise: list[Noise] = []
    if share:
        matrices, noise = _noisy(matrices, frame, layout, share)
    grids = {c: _with_margins(m, layout.dims) for c, m in matrices.items()}
    statuses = {DOCUMENTS: protect(grids[DOCUMENTS], k, layout.dims)}
    hidden = [(i, j) for i, row in enumerate(statuses[DOCUMENTS]) for j, s in enumerate(row) if s != PUBLISHED]
    for c in additive[1:]:
        # Every measure hides at least what the document counts hide, or a word count would
        # reveal a group's size.
        statuses[c] = protect(grids[c], k, layout.dims, force=hidden)
    if PARTICIPANTS in frame:
        grids[PARTICIPANTS] = _distinct_grid(frame, layout)
        if share:
            grids[PARTICIPANTS], cost = _noisy_flat(grids[PARTICIPANTS], share, 1 + layout.dims + (layout.dims == 2))
            noise.append(Noise("participants", *cost))
        statuses[PARTICIPANTS] = protect(grids[PARTICIPANTS], k, dims=0, force=hidden)
        names[PARTICIPANTS] = "participants"
    records = []
    for c, grid in grids.items():
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                status = statuses[c][i][j]
                records.append({"measure": names[c], **layout.key(i, j),
                                "value": None if status != PUBLISHED else int(v), STATUS: status})
    described = {m: MEASURE_HELP.get(m, MEASURE_HELP["identifiers:"]) for m in measures}
    return Release(list(by), k, records, described, noise, layout=layout)


def _matrix(frame: pd.DataFrame, layout: Layout, column: str) -> list[list[int]]:
    """Interior cells (no margins): 1 x 1, 1 x rows, or rows x column-combinations."""
    if layout.dims == 0:
        return [[int(frame[column].sum())]]
    if layout.dims == 1:
        sums = frame.groupby(layout.by[0])[column].sum()
        return [[int(sums.get(r, 0)) for r in layout.rows]]
    sums = frame.groupby(list(layout.by))[column].sum().to_dict()
    return [[int(sums.get((r, *c), 0)) for c in layout.cols] for r in layout.rows]


def _with_margins(matrix: list[list[int]], dims: int) -> list[list[int]]:
    if dims == 0:
        return [row[:] for row in matrix]
    if dims == 1:
        return [matrix[0] + [sum(matrix[0])]]
    grid = [row + [sum(row)] for row in matrix]
    return grid + [[sum(col) for col in zip(*grid)]]


def _distinct_grid(frame: pd.DataFrame, layout: Layout) -> list[list[int]]:
    """Distinct pseudonyms per cell and per margin: counted, never added up."""
    everyone = int(frame[PARTICIPANTS].nunique())
    if layout.dims == 0:
        return [[everyone]]
    by_row = frame.groupby(layout.by[0])[PARTICIPANTS].nunique()
    if layout.dims == 1:
        return [[int(by_row.get(r, 0)) for r in layout.rows] + [everyone]]
    cells = frame.groupby(list(layout.by))[PARTICIPANTS].nunique().to_dict()
    by_col = frame.groupby(list(layout.by[1:]))[PARTICIPANTS].nunique().to_dict()
    col_key = (lambda c: c) if len(layout.by) > 2 else (lambda c: c[0])
    grid = [[int(cells.get((r, *c), 0)) for c in layout.cols] + [int(by_row.get(r, 0))] for r in layout.rows]
    return grid + [[int(by_col.get(col_key(c), 0)) for c in layout.cols] + [everyone]]


def _noisy(matrices: dict[str, list[list[int]]], frame: pd.DataFrame, layout: Layout, share: float
           ) -> tuple[dict[str, list[list[int]]], list[Noise]]:
    """Noise on interior cells only; margins are then sums of noisy cells (post-processing, free),
    so totals stay consistent with the cells they add up."""
    out, noise = {}, []
    ids = [c for c in matrices if c.startswith(ID_PREFIX)]
    groups = [([DOCUMENTS], 1, "documents")]
    if WORDS in matrices:
        groups.append(([WORDS], DP_MAX_WORDS, "words"))
    if ids:
        # One row adds at most the bound to each identifier type: L1 sensitivity bound x types.
        groups.append((ids, DP_MAX_IDENTIFIERS * len(ids), "identifiers"))
    clamp = {WORDS: DP_MAX_WORDS} | {c: DP_MAX_IDENTIFIERS for c in ids}
    for columns, sensitivity, name in groups:
        clipped = frame.assign(**{c: frame[c].clip(upper=clamp[c]) for c in columns if c in clamp})
        flat, shapes = [], []
        for c in columns:
            m = _matrix(clipped, layout, c)
            shapes.append((c, len(m), len(m[0])))
            flat += [v for row in m for v in row]
        noisy, spent, scale = add_noise(flat, share, sensitivity)
        pos = 0
        for c, n_rows, n_cols in shapes:
            out[c] = [noisy[pos + i * n_cols: pos + (i + 1) * n_cols] for i in range(n_rows)]
            pos += n_rows * n_cols
        noise.append(Noise(name, spent, scale, sensitivity))
    return out, noise


def _noisy_flat(grid: list[list[int]], epsilon: float, sensitivity: int
                ) -> tuple[list[list[int]], tuple[float, float, int]]:
    flat = [v for row in grid for v in row]
    noisy, spent, scale = add_noise(flat, epsilon, sensitivity)
    n_cols = len(grid[0])
    return [noisy[i:i + n_cols] for i in range(0, len(noisy), n_cols)], (spent, scale, sensitivity)


# --- inputs -------------------------------------------------------------------------------------

TABLE_READERS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "excel", ".xls": "excel",
                 ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def read_table(path) -> pd.DataFrame:
    """A tabular export as strings (ids keep their leading zeros), by file extension."""
    import pandas as pd

    kind = TABLE_READERS.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(f"unsupported table type {path.suffix or '(none)'!r}",
                          hint="use CSV, TSV, XLSX, Parquet or JSONL, or a `redact run` output folder")
    try:
        if kind in ("csv", "tsv"):
            frame = pd.read_csv(path, sep="," if kind == "csv" else "\t", dtype=str, keep_default_na=False)
        elif kind == "excel":
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        elif kind == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_json(path, lines=True, dtype=False)
    except ImportError as exc:
        raise ConfigError(f"reading {kind} needs a package that is missing: {exc.name}") from exc
    except (ValueError, OSError) as exc:
        # Only the exception type: parser messages can quote a cell.
        raise ConfigError(f"cannot read {path.name} as {kind} ({type(exc).__name__})") from exc
    return frame.astype("string").fillna("").astype(str)


def read_run(folder) -> pd.DataFrame:
    """One row per document of a `redact run` output folder, from its manifest: status, folder
    (first part of the de-identified path), format, chars, and `_id:<LABEL>` counts."""
    import json

    import pandas as pd

    manifest = folder / "manifest.jsonl"
    if not manifest.is_file():
        raise ConfigError(f"{folder} has no manifest.jsonl", hint="point at a `redact run --out` folder or a table")
    rows = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        parts = str(entry.get("input") or "").split("/")
        row = {"status": str(entry.get("status")), "folder": parts[0] if len(parts) > 1 else ".",
               "format": (parts[-1].rsplit(".", 1)[-1].lower() if "." in parts[-1] else UNKNOWN)}
        row |= {ID_PREFIX + label: int(n) for label, n in (entry.get("entities") or {}).items()}
        rows.append(row)
    frame = pd.DataFrame(rows)
    ids = [c for c in frame if c.startswith(ID_PREFIX)]
    frame[ids] = frame[ids].fillna(0).astype(int)
    return frame


@dataclass
class Prepare:
    """How to turn an input table into the frame `tabulate` counts."""

    by: Sequence[str] = ()
    text_columns: Sequence[str] = ()
    date_column: str | None = None
    grain: str = "month"
    participant_column: str | None = None
    secret: bytes | None = None
    k: int = DEFAULT_K
    detect: Callable[[Iterable[str]], Iterable[Sequence[Any]]] | None = None


def prepare(frame: pd.DataFrame, spec: Prepare) -> tuple[pd.DataFrame, list[str]]:
    """(frame with the --by columns and measure columns only, the --by names). Raw ids and texts
    do not survive this function: participants become keyed pseudonyms, texts become counts."""
    import pandas as pd

    named = [*spec.text_columns, *([spec.date_column] if spec.date_column else []),
             *([spec.participant_column] if spec.participant_column else [])]
    for column in [*named, *(b for b in spec.by if b != spec.grain or not spec.date_column)]:
        if column not in frame:
            hint = "derive it with --date-column" if column in ("month", "quarter", "year") else \
                "columns are: " + ", ".join(map(str, frame.columns))
            raise ConfigError(f"no column {column!r} in the input", hint=hint)
    if spec.participant_column and spec.participant_column in spec.by:
        raise ConfigError("--by cannot be the participant column: it would print raw ids",
                          hint="use --participant-column to count distinct participants")
    if set(spec.text_columns) & set(spec.by):
        raise ConfigError("--by cannot be a free-text column")
    out = pd.DataFrame(index=frame.index)
    for column in spec.by:
        if spec.date_column and column in (spec.grain, spec.date_column):
            out[column] = coarsen_dates(frame[spec.date_column], spec.grain)
        else:
            values = frame[column].astype(str).str.strip().replace("", UNKNOWN)
            out[column] = recode_rare(values, spec.k)
    if spec.text_columns:
        texts = frame[list(spec.text_columns)].astype(str)
        out[WORDS] = texts.apply(lambda col: col.str.split().str.len()).sum(axis=1).astype(int)
        if spec.detect is not None:
            per_row = [Counter() for _ in range(len(frame))]
            for column in spec.text_columns:
                for counter, found in zip(per_row, identifier_counts(texts[column].tolist(), spec.detect)):
                    counter.update(found)
            labels = sorted({label for c in per_row for label in c})
            for label in labels:
                out[ID_PREFIX + label] = [c[label] for c in per_row]
    elif spec.detect is not None:
        raise ConfigError("--detect needs at least one --text-column")
    if spec.participant_column:
        if not spec.secret:
            raise ConfigError("counting participants needs a secret for keyed pseudonyms",
                              hint="set REDACT_SECRET or pass --secret-file")
        ids = frame[spec.participant_column].astype(str).str.strip()
        out[PARTICIPANTS] = [pseudonym(v, spec.secret) if v else None for v in ids]
    return out, list(spec.by)


# --- per-run stats.json (redact run) -------------------------------------------------------------

class StatsBuilder:
    """Accumulates outcomes of a run (see pipeline.Outcome) into stats.json."""

    def __init__(self, k: int = DEFAULT_K) -> None:
        self.k = k
        self.status = Counter()
        self.entities = Counter()
        self.chars = 0
        self.words = 0
        self.segments = 0

    def add(self, outcome) -> None:
        manifest = outcome.manifest
        self.status[manifest["status"]] += 1
        if manifest["status"] == "ok":
            self.entities.update(manifest["entities"])
            self.chars += manifest["chars"]
            self.words += outcome.words
            self.segments += outcome.segments

    def build(self) -> dict:
        return {
            "documents": sum(self.status.values()),
            "documents_by_status": dict(sorted(self.status.items())),
            "characters": self.chars,
            "words": self.words,
            "segments": self.segments,
            "entities": suppress(dict(sorted(self.entities.items())), self.k),
            "suppression": {"k": self.k, "rule": f"entity counts between 1 and {self.k - 1} are "
                                                 "published as null"},
        }
