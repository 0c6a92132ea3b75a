"""Account stage: aggregate statistics safe to publish. Counts only, never a detected value or a
raw identifier.

Layers, each usable alone:
- preparation (`prepare`): a table -> one row per document with published labels (coarse dates,
  groups of fewer than k rows merged into '(other ...)') and counts; ids become pseudonyms;
- cell suppression (`redact.suppression.protect`, and `_protect_jointly` for documents with
  distinct participants): small cells, plus the cells that keep them from being narrowed;
- differential privacy (`add_noise`): discrete Laplace noise through OpenDP, before suppression;
- tabulation (`tabulate`, `release`): a prepared table -> published cells (`Release.to_json`) and
  the staff-only kinds of each blank (`Release.audit_json`);
- coarsening (`best_coarsening`, `coarsen`): what to publish instead of a mostly blank table.

`StatsBuilder` keeps the per-run stats.json of `redact run`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from redact.errors import ConfigError
from redact.suppression import COMPLEMENTARY, PRIMARY, PUBLISHED, Measure, close_intervals, protect, table_lines

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_K = 11
SUPPRESSED = "suppressed"  # the only word published outputs use for a blank, whatever its reason
TOTAL = "(all)"
STATUS = "cell_status"  # not "status": that is a natural --by column of a run folder
UNKNOWN = "(unknown)"
STATS_HINT = "pip install 'redact[stats]'"  # OpenDP, for --epsilon only


def suppress(counts: dict[str, int], k: int = DEFAULT_K) -> dict[str, int | None]:
    """Counts below k (but above zero) become None."""
    return {key: (None if 0 < value < k else value) for key, value in counts.items()}


def suppression_rule(k: int) -> str:
    """The rule in words, written into every output so a reader knows what a blank means."""
    return (f"Every count from 1 to {k - 1} is suppressed (k = {k}); zeros are published. More cells are "
            "suppressed so that the published cells, margins, totals and the other measures of the same "
            f"table never prove that a suppressed count is below {k}: for every suppressed small count, "
            f"the largest value consistent with everything published is at least {k} (checked by linear "
            "programming). Every blank is marked only 'suppressed', whatever the reason. Distinct-"
            "participant counts are not additive: each is suppressed where small or where the document "
            "count is suppressed.")


# --- differential privacy -----------------------------------------------------------------------

@dataclass(frozen=True)
class Noise:
    """What one noisy release cost: recorded in the output."""

    measure: str
    epsilon: float
    scale: float
    sensitivity: int


def require_noise() -> None:
    """Fail before anything is computed or written when --epsilon cannot be honoured."""
    try:
        import opendp.prelude  # noqa: F401
    except ImportError as exc:
        raise ConfigError("--epsilon needs OpenDP, which is not installed", hint=STATS_HINT) from exc


def add_noise(counts: Sequence[int], epsilon: float, sensitivity: int) -> tuple[list[int], float, float]:
    """Discrete Laplace noise from OpenDP for integer counts whose L1 sensitivity (under adding or
    removing one row) is `sensitivity`. Returns (noisy counts clamped at 0, epsilon spent, scale)."""
    require_noise()
    import opendp.prelude as dp

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
DATE = "_date"  # parsed dates, kept so a coarser grain can be derived; never published
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


def other_label(column: str) -> str:
    """The named group that small groups of a column are merged into: '(other programs)'."""
    return f"(other {column}{'' if column.endswith('s') else 's'})"


def merge_groups(series: pd.Series, groups: Iterable[str], column: str) -> pd.Series:
    """The given values of a --by column become its '(other ...)' group."""
    groups = set(groups)
    return series.where(~series.isin(groups), other_label(column)) if groups else series


def rare_groups(series: pd.Series, k: int) -> list[str]:
    """Values held by fewer than k rows: a published label is itself a fact (that such a group
    exists), so every label shown stands for at least k rows and these are merged."""
    counts = series.value_counts()
    return sorted(str(v) for v in counts[counts < k].index)


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
    """Everything `redact stats` publishes (`to_json`), and the staff-only audit (`audit_json`).

    `records` keep each cell's reason for a blank (primary or complementary) internally; the
    published JSON says only "suppressed", since the reason tells a reader which blanks hide a
    small count and narrows them (see redact.suppression)."""

    by: list[str]
    k: int
    records: list[dict[str, Any]]
    measures: dict[str, str]
    noise: list[Noise] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    layout: Layout | None = None
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    coarsening: list[str] = field(default_factory=list)
    time_column: str | None = None

    def published_cells(self) -> list[dict[str, Any]]:
        return [r | {STATUS: PUBLISHED if r[STATUS] == PUBLISHED else SUPPRESSED} for r in self.records]

    def to_json(self) -> dict[str, Any]:
        counts = Counter(r[STATUS] == PUBLISHED for r in self.records)
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
            "time_column": self.time_column,
            "measures": self.measures,
            "groups": self.groups,
            "coarsening": self.coarsening,
            "suppression": {"k": self.k, "rule": suppression_rule(self.k), "suppressed": counts[False],
                            "published": counts[True]},
            "privacy": privacy,
            "cells": self.published_cells(),
        }

    def audit_json(self) -> dict[str, Any]:
        """Why each blank is blank. Staff only, never published: see the class docstring."""
        kinds = Counter(r[STATUS] for r in self.records if r[STATUS] != PUBLISHED)
        return {
            "warning": "STAFF ONLY - do not publish: says which blanks hide a small count",
            "k": self.k,
            "primary": kinds[PRIMARY],
            "complementary": kinds[COMPLEMENTARY],
            "cells": [{key: v for key, v in r.items() if key != "value"} for r in self.records
                      if r[STATUS] != PUBLISHED],
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
    hidden = _blanks(statuses[DOCUMENTS])
    if PARTICIPANTS in frame:
        grids[PARTICIPANTS] = _distinct_grid(frame, layout)
        if share:
            grids[PARTICIPANTS], cost = _noisy_flat(grids[PARTICIPANTS], share, 1 + layout.dims + (layout.dims == 2))
            noise.append(Noise("participants", *cost))
        statuses[PARTICIPANTS] = protect(grids[PARTICIPANTS], k, dims=0, force=hidden)
        names[PARTICIPANTS] = "participants"
        if layout.dims and not share:  # noisy counts need not respect participants <= documents
            statuses[DOCUMENTS], statuses[PARTICIPANTS] = _protect_jointly(
                grids[DOCUMENTS], statuses[DOCUMENTS], grids[PARTICIPANTS], statuses[PARTICIPANTS], k, layout.dims)
            hidden = _blanks(statuses[DOCUMENTS])
    for c in additive[1:]:
        # Every measure hides at least what the document counts hide, or a word count would
        # reveal a group's size.
        statuses[c] = protect(grids[c], k, layout.dims, force=hidden)
    records = []
    for c, grid in grids.items():
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                status = statuses[c][i][j]
                records.append({"measure": names[c], **layout.key(i, j),
                                "value": None if status != PUBLISHED else int(v), STATUS: status})
    described = {m: MEASURE_HELP.get(m, MEASURE_HELP["identifiers:"]) for m in measures}
    return Release(list(by), k, records, described, noise, layout=layout)


def _blanks(status: list[list[str]]) -> list[tuple[int, int]]:
    return [(i, j) for i, row in enumerate(status) for j, s in enumerate(row) if s != PUBLISHED]


def _protect_jointly(documents: list[list[int]], document_status: list[list[str]], participants: list[list[int]],
                     participant_status: list[list[str]], k: int, dims: int) -> tuple[list[list[str]], list[list[str]]]:
    """More blanks until documents and distinct participants together prove no small count below k.

    Each alone may be safe while together they are not: a participant margin bounds the sum of its
    cells from below, each cell bounds documents from below (a participant has at least one
    document), and a row's participant total caps each of its cells."""
    lines = table_lines(len(documents), len(documents[0]), dims)
    values = {name: {(i, j): int(v) for i, row in enumerate(grid) for j, v in enumerate(row)}
              for name, grid in (("documents", documents), ("participants", participants))}
    statuses = {name: {(i, j): s for i, row in enumerate(grid) for j, s in enumerate(row)}
                for name, grid in (("documents", document_status), ("participants", participant_status))}

    def measures() -> dict[str, Measure]:
        blank = {name: {c for c, s in status.items() if s != PUBLISHED} for name, status in statuses.items()}
        # A blank document count is never zero; a blank participant count may be, where its
        # document count is blank too (rows without a participant id).
        return {"documents": Measure(values["documents"], blank["documents"], dict.fromkeys(blank["documents"], 1)),
                "participants": Measure(values["participants"], blank["participants"],
                                        {c: 0 if c in blank["documents"] else 1 for c in blank["participants"]},
                                        additive=False)}

    close_intervals(statuses, values, measures, lines, k, links=[("participants", "documents")],
                    hide_with={"documents": ["participants"]})
    return tuple([[statuses[name][(i, j)] for j in range(len(grid[0]))] for i in range(len(grid))]
                 for name, grid in (("documents", documents), ("participants", participants)))


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


@dataclass
class Prepared:
    """A table ready to count: one row per document, the --by columns as published labels, the
    measure columns, and what was merged or coarsened on the way (explained in the report)."""

    frame: pd.DataFrame
    by: list[str]
    time_column: str | None = None
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    coarsening: list[str] = field(default_factory=list)


def check_columns(columns: Sequence[str], spec: Prepare) -> None:
    """Every named column exists and none would publish an id or a text: raises ConfigError."""
    named = [*spec.text_columns, *([spec.date_column] if spec.date_column else []),
             *([spec.participant_column] if spec.participant_column else [])]
    for column in [*named, *(b for b in spec.by if b != spec.grain or not spec.date_column)]:
        if column not in columns:
            hint = "derive it with --date-column" if column in GRAINS else \
                "columns are: " + ", ".join(map(str, columns))
            raise ConfigError(f"no column {column!r} in the input", hint=hint)
    if spec.participant_column and spec.participant_column in spec.by:
        raise ConfigError("--by cannot be the participant column: it would print raw ids",
                          hint="use --participant-column to count distinct participants")
    if set(spec.text_columns) & set(spec.by):
        raise ConfigError("--by cannot be a free-text column")
    if spec.detect is not None and not spec.text_columns:
        raise ConfigError("--detect needs at least one --text-column")
    if spec.participant_column and not spec.secret:
        raise ConfigError("counting participants needs a secret for keyed pseudonyms",
                          hint="set REDACT_SECRET or pass --secret-file")
    clash = set(spec.by) & {"measure", "value", STATUS}
    if clash:
        raise ConfigError(f"--by column {clash.pop()!r} clashes with an output column", hint="rename it first")


def prepare(frame: pd.DataFrame, spec: Prepare) -> Prepared:
    """Raw ids and texts do not survive this function: participants become keyed pseudonyms,
    texts become counts, dates become periods, and groups of fewer than k rows are merged."""
    import pandas as pd

    check_columns(list(frame.columns), spec)
    out = pd.DataFrame(index=frame.index)
    time_column, groups = None, {}
    if spec.date_column:
        out[DATE] = pd.to_datetime(frame[spec.date_column], errors="coerce", format="mixed")
    for column in spec.by:
        if spec.date_column and column in (spec.grain, spec.date_column):
            out[column] = coarsen_dates(frame[spec.date_column], spec.grain)
            time_column = column
        else:
            values = frame[column].astype(str).str.strip().replace("", UNKNOWN)
            rare = rare_groups(values, spec.k)
            out[column] = merge_groups(values, rare, column)
            if rare:
                groups[column] = _merged(column, len(rare), f"each had fewer than {spec.k} documents")
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
    if spec.participant_column:
        ids = frame[spec.participant_column].astype(str).str.strip()
        out[PARTICIPANTS] = [pseudonym(v, spec.secret) if v else None for v in ids]
    return Prepared(out, list(spec.by), time_column, groups)


def _merged(column: str, n: int, reason: str) -> dict[str, Any]:
    return {"label": other_label(column), "merged": n, "reason": reason}


def release(prepared: Prepared, k: int = DEFAULT_K, epsilon: float | None = None) -> Release:
    """The publishable release of a prepared table, with its merges and coarsenings recorded."""
    out = tabulate(prepared.frame, prepared.by, k=k, epsilon=epsilon)
    out.time_column, out.groups, out.coarsening = prepared.time_column, prepared.groups, prepared.coarsening
    return out


# --- small programs: coarsen instead of a wall of blanks ------------------------------------------

GRAINS = ("month", "quarter", "year")
MOSTLY_BLANK = 0.5  # "most cells": above this share of non-zero cells suppressed, offer a coarsening


@dataclass(frozen=True)
class Blanks:
    """How much of a table's body (non-zero document counts, margins aside) is suppressed."""

    suppressed: int
    cells: int

    @property
    def published(self) -> int:
        return self.cells - self.suppressed

    @property
    def mostly_blank(self) -> bool:
        return self.cells > 0 and self.suppressed > MOSTLY_BLANK * self.cells


def blanks(prepared: Prepared, k: int) -> Blanks:
    frame, by = prepared.frame, tuple(prepared.by)
    rows = sorted(frame[by[0]].unique()) if by else []
    cols = sorted(frame[list(by[1:])].drop_duplicates().itertuples(index=False, name=None)) if len(by) > 1 else [()]
    layout = Layout(by, rows, cols)
    matrix = _matrix(frame.assign(**{DOCUMENTS: 1}), layout, DOCUMENTS)
    status = protect(_with_margins(matrix, layout.dims), k, layout.dims)
    body = [(status[i][j], v) for i, row in enumerate(matrix) for j, v in enumerate(row) if v > 0]
    return Blanks(sum(s != PUBLISHED for s, _ in body), len(body))


@dataclass(frozen=True)
class Coarsening:
    """One way to publish more from a small program, and what it gives."""

    description: str
    option: str  # how to ask for it on the command line, for the message
    prepared: Prepared = field(compare=False, repr=False)
    result: Blanks = field(compare=False)


def coarsenings(prepared: Prepared, k: int) -> list[Coarsening]:
    """Every single coarsening step: a coarser time grain, the smallest groups of a --by column
    merged into its '(other ...)' group (the fewest that publish most), or one --by level dropped."""
    found = []
    frame, by, time = prepared.frame, prepared.by, prepared.time_column
    if time in GRAINS and DATE in frame:
        for grain in GRAINS[GRAINS.index(time) + 1:]:
            coarser = frame.drop(columns=[time]).assign(**{grain: coarsen_dates(frame[DATE], grain)})
            step = _step(prepared, coarser, [grain if b == time else b for b in by], grain,
                         prepared.groups, f"dates by {grain} instead of by {time}")
            found.append(Coarsening(step.coarsening[-1], f"--grain {grain} --by {grain}", step, blanks(step, k)))
    for column in by:
        if column == time:
            continue
        other = other_label(column)
        sizes = frame[column].value_counts()
        named = [str(v) for v in sizes.sort_values(kind="stable").index if v != other]
        best = None
        for n in range(2 if other not in sizes else 1, len(named) - 1):  # keep two named groups at least
            merged = merge_groups(frame[column], named[:n], column)
            previous = prepared.groups.get(column, {"merged": 0, "reason": ""})
            reason = "the smallest groups, merged so that fewer cells are suppressed"
            reason = f"{previous['reason']}, or {reason}" if previous["reason"] else reason
            groups = prepared.groups | {column: _merged(column, previous["merged"] + n, reason)}
            step = _step(prepared, frame.assign(**{column: merged}), by, time, groups,
                         f"the {n} smallest {column} groups merged into {other}")
            result = blanks(step, k)
            if best is None or result.published > best.result.published:
                best = Coarsening(step.coarsening[-1], "--coarsen", step, result)
        if best:
            found.append(best)
        if len(by) > 1:
            rest = [b for b in by if b != column]
            groups = {c: g for c, g in prepared.groups.items() if c != column}
            step = _step(prepared, frame.drop(columns=[column]), rest, time, groups, f"not grouped by {column}")
            found.append(Coarsening(step.coarsening[-1], f"without --by {column}", step, blanks(step, k)))
    if time and len(by) > 1:
        rest = [b for b in by if b != time]
        step = _step(prepared, frame.drop(columns=[time]), rest, None, prepared.groups, f"not grouped by {time}")
        found.append(Coarsening(step.coarsening[-1], f"without --by {time}", step, blanks(step, k)))
    return found


def _step(prepared: Prepared, frame: pd.DataFrame, by: list[str], time: str | None,
          groups: dict[str, dict[str, Any]], what: str) -> Prepared:
    return Prepared(frame, list(by), time, dict(groups), [*prepared.coarsening, what])


def best_coarsening(prepared: Prepared, k: int) -> tuple[Blanks, Coarsening | None]:
    """The table's blanks now, and the coarsening that publishes the most non-zero cells, if the
    table is mostly blank and one publishes more (ties: fewest blanks, then a coarser grain before
    a merge before a dropped level)."""
    now = blanks(prepared, k)
    if not now.mostly_blank:
        return now, None
    options = [c for c in coarsenings(prepared, k) if c.result.published > now.published]
    order = {kind: n for n, kind in enumerate(("--grain", "--coarsen", "without"))}
    best = min(options, default=None, key=lambda c: (-c.result.published, c.result.suppressed,
                                                      order[c.option.split()[0]]))
    return now, best


def coarsen(prepared: Prepared, k: int, max_steps: int = 4) -> tuple[Prepared, list[Coarsening]]:
    """Apply the best coarsening until the table is no longer mostly blank (or none helps)."""
    applied = []
    for _ in range(max_steps):
        _, best = best_coarsening(prepared, k)
        if best is None:
            break
        prepared = best.prepared
        applied.append(best)
    return prepared, applied


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
        self.withheld: Counter | None = None   # (kind, reason) -> count, for --consent runs

    def add(self, outcome) -> None:
        manifest = outcome.manifest
        self.status[manifest["status"]] += 1
        if "withheld" in manifest:
            self.withheld = self.withheld if self.withheld is not None else Counter()
            self.withheld.update({(kind, reason): n for kind, reasons in manifest["withheld"].items()
                                  for reason, n in reasons.items()})
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
            **self._withheld(),
        }

    def _withheld(self) -> dict:
        """Consent: utterances, rows and sentences withheld, by reason class, small counts suppressed
        like entity counts (a count of 1 could point at the one person who withdrew)."""
        if self.withheld is None:
            return {}
        out: dict[str, dict] = {}
        for (kind, reason), n in sorted(self.withheld.items()):
            out.setdefault(kind, {})[reason] = n
        return {"withheld": {kind: suppress(reasons, self.k) for kind, reasons in out.items()}}
