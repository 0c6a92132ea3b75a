"""Tabular exports: CSV, TSV and JSONL (streamed in chunks), XLSX and Parquet (whole), via pandas.
Each is read once, front to back, from the open file the run hands over (hashing what it reads,
see redact.io.source).

Each column gets a role (see redact.tables): free text is redacted through detection a whole
column at a time, ids become keyed pseudonyms, dates are coarsened or shifted, dropped columns go,
`--keep-column` columns are kept as is. Fail closed for the rest:
- every column header (CSV, TSV, XLSX, Parquet, JSONL keys) goes through detection; a header that
  is an identifier (a participant's name in an attendance matrix) becomes its placeholder;
- every text value of a column without a role goes through detection, in every chunk (distinct
  values once per chunk, batched through nlp.pipe); plain numbers (decimals, integers of up to
  four digits) are not identifiers and are left alone, so a float column stays a float column;
- nested JSONL values (objects, lists) keep their types: each string inside, and each key, is
  detected on its own;
- notes and warnings name columns by position only, never by header text.
Outputs of CSV, TSV and XLSX neutralise formula-like cells (a leading =, +, -, @, tab or CR gets a
single quote in front, OWASP's rule) unless `keep_formulas` is set. Parquet outputs carry no
input metadata (pandas `attrs`, key-value and field metadata are dropped). XLSX outputs are
fresh workbooks: every sheet, hidden ones too, is written as a visible table; a sheet name with
an identifier becomes "SheetN"; cell comments, defined names, formulas (their cached values are
read as cells), formatting and document properties are not carried over. Row count, row order,
column order (minus dropped) and untouched values are kept.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

from redact.errors import InputError
from redact.io.source import READ_CHUNK, read_at_most, read_whole
from redact.spans import Span
from redact.tables import ColumnRoles, TableConfig, pseudonymise_id, shift_days

if TYPE_CHECKING:
    import pandas as pd

    from redact.io import Session

# Rows per chunk: memory stays flat whatever the file size; a chunk is one detection batch.
CHUNK_ROWS = 2000
# Values that cannot hold an identifier: decimals and integers of up to four digits (longer digit
# runs can be phone, record or ZIP numbers and are detected).
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,4}(?:\.0*)?|\d*\.\d*[1-9]\d*)(?:[eE][+-]?\d+)?")
# OWASP CSV injection: cells starting with these run as formulas in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Header words that say a column holds direct identifiers ("first_name", "PatientDOB", "e-mail").
HEADER_WORDS = frozenset({
    "name", "names", "firstname", "lastname", "fullname", "surname", "forename", "nickname",
    "dob", "birth", "birthdate", "birthday", "phone", "telephone", "tel", "mobile", "cell", "fax",
    "email", "mail", "address", "addr", "street", "zip", "zipcode", "postcode", "postal", "ssn",
    "mrn", "medicaid", "medicare", "license", "plate", "username", "handle", "ip",
})
CSV_FIELD_LIMIT = 16 * 1024 * 1024
# Header words of columns that hold people's names (their values become the table's own roster).
NAME_WORDS = frozenset({"name", "names", "firstname", "lastname", "fullname", "surname", "forename", "nickname"})
WHOLE_VALUE_SHARE = 0.8
# Shorter words of a roster name ("Al", "Jo") are matched only as part of the full name.
NAME_MIN_CHARS = 3


def header_words(header: str) -> set[str]:
    """'PatientDOB' -> {patient, dob}; 'first_name' -> {first, name, firstname}."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", str(header)))
    words = [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]
    return set(words) | {a + b for a, b in zip(words, words[1:])}


def header_says_identifier(header: str) -> bool:
    return bool(header_words(header) & HEADER_WORDS)


def cell_text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _has_text(series: pd.Series) -> pd.Series:
    return series.notna() & series.map(lambda v: cell_text(v).strip() != "" if v is not None else False)


@dataclass
class Plan:
    """The role of every column of one table, decided on its first chunk."""

    roles: dict[str, str]
    notes: list[str] = field(default_factory=list)
    people: set[str] = field(default_factory=set)   # columns whose values are whole identifiers
    headers: dict[str, str] = field(default_factory=dict)   # header -> its de-identified form
    found: dict[str, list[Span]] = field(default_factory=dict)   # detection results of the first chunk


def is_plain_number(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return isinstance(value, float) or abs(value) < 10_000
    return bool(PLAIN_NUMBER.fullmatch(str(value).strip()))


def detect_values(values: list[str], session: Session, cache: dict[str, list[Span]]) -> list[list[Span]]:
    """Spans per value: each distinct value detected once (cache shared within a table's chunk),
    plain numbers never."""
    todo = list(dict.fromkeys(v for v in values if v not in cache and not is_plain_number(v)))
    if todo:
        cache.update(zip(todo, session.detect(todo)))
    return [cache.get(v, []) for v in values]


def plan_columns(frame: pd.DataFrame, roles: ColumnRoles, session: Session, plan: Plan | None = None) -> Plan:
    """Configured roles, plus the fail-closed check of every column without one: all its values
    (not a sample) are detected; columns with text values are redacted as text. With `plan`,
    only the columns it does not know yet are planned (JSONL keys first seen in a later chunk)."""
    configured = roles.role_of()
    plan = plan if plan is not None else Plan({})
    new = [c for c in frame.columns if c not in plan.roles]
    headers = [str(c) for c in new]
    for column, spans in zip(new, session.detect(headers)):
        if spans:
            plan.headers[column] = session.replace(str(column), spans)
    unlabelled = []
    for position, column in enumerate(frame.columns, 1):
        if column not in new:
            continue
        role = configured.get(str(column))
        if role:
            plan.roles[column] = role
        elif header_says_identifier(column):
            plan.roles[column] = "text"
            if header_words(column) & NAME_WORDS:
                plan.people.add(column)
            plan.notes.append(f"column {position} redacted as text: its header names an identifier")
        else:
            plan.roles[column] = "keep"
            unlabelled.append((position, column))
    columns = []
    for position, column in unlabelled:
        series = frame[column]
        values = series[_has_text(series)].map(cell_text).drop_duplicates().tolist()
        columns.append((position, column, [v for v in values if not is_plain_number(v)]))
    detect_values([v for *_, values in columns for v in values], session, plan.found)
    for position, column, values in columns:
        plan.roles[column] = "text"   # plain numbers stay as they are (see transform)
        found = [plan.found.get(v, []) for v in values]
        hits = sum(bool(spans) for spans in found)
        if hits:
            plan.notes.append(f"column {position} redacted as text: {hits} of {len(values)} "
                              "distinct values hold identifiers")
        # Values that are an identifier from end to end (a name, an e-mail), not text mentioning one.
        whole = sum(sum(s.end - s.start for s in spans) >= WHOLE_VALUE_SHARE * len(value.strip())
                    for value, spans in zip(values, found))
        if hits and whole * 2 >= len(values):
            plan.people.add(column)   # names, whatever NER labels them: a roster for the text cells
    return plan


@dataclass
class TableRules:
    """What a table's transform needs besides its plan."""

    roles: ColumnRoles
    secret: bytes | None
    keep_formulas: bool = False   # write formula-like cells as they are (else a leading ' neutralises them)
    policy: str | None = None     # its DATE date_shift parameters set the table date offset too


def transform(frame: pd.DataFrame, plan: Plan, rules: TableRules, session: Session) -> pd.DataFrame:
    """A new frame: dropped columns removed, text redacted (all text cells of the chunk in one
    detection batch, plain numbers left alone, nested values leaf by leaf), ids pseudonymised,
    dates coarsened or shifted, the rest untouched; headers de-identified."""
    import pandas as pd

    out = frame.drop(columns=[c for c, r in plan.roles.items() if r == "drop"])
    jobs: list[tuple[str, pd.Index, list]] = []   # text cells to redact, column by column
    cells: list[str] = []

    def redact_as_text(column: str, index: pd.Index) -> None:
        values = out.loc[index, column].tolist()
        keep = [not is_plain_number(v) for v in values]
        index = index[keep] if len(index) else index
        values = [v for v, k in zip(values, keep) if k]
        jobs.append((column, index, values))
        for value in values:
            cells.extend(_leaves(value))

    replaced: dict[str, pd.Series] = {}
    for column in out.columns:
        role = plan.roles.get(column, "keep")
        series = out[column]
        present = _has_text(series)
        if role == "text":
            redact_as_text(column, series.index[present])
        elif role == "id":
            values = series[present].map(cell_text).map(str.strip)
            pseudonyms = {v: pseudonymise_id(v, rules.secret) for v in values.unique()}
            replaced[column] = values.map(pseudonyms)
        elif role == "date":
            dates, unparsed = _dates(series[present], rules)
            replaced[column] = dates
            redact_as_text(column, unparsed)
    names = _names(frame, plan)
    found = detect_values(cells, session, plan.found)
    plan.found = {}   # the first chunk's results are used once; later chunks detect their own
    spans = [with_names(text, f, names) for text, f in zip(cells, found)]
    redacted = iter([session.replace(text, f) for text, f in zip(cells, spans)])
    for column, index, values in jobs:
        new_values = [_rebuild(value, redacted) for value in values]
        values = pd.Series(new_values, index=index, dtype=object)
        replaced[column] = pd.concat([replaced[column], values]) if column in replaced else values
    for column, values in replaced.items():
        original = out[column]
        if not len(values):
            continue
        if pd.api.types.is_datetime64_any_dtype(values.dtype) and original.dtype == values.dtype:
            new = original.copy()
        else:
            new = original.astype(object)
        new.loc[values.index] = values
        if pd.api.types.is_string_dtype(original.dtype) and original.dtype != object:
            new = new.astype(original.dtype)   # CSV text columns stay text
        out[column] = new
    out.attrs = {}   # pandas attrs (stored in Parquet metadata) can name anyone
    renamed = {c: unique_header(plan.headers.get(c, c), c, out.columns, plan.headers) for c in out.columns}
    out.columns = [renamed[c] for c in out.columns]
    out.attrs = {"redact_columns": renamed}   # original key -> written key (JSONL writer)
    return out


def unique_header(new: str, column, columns, headers: dict) -> str:
    """A de-identified header that does not collide with another column's header."""
    others = {headers.get(c, c) for c in columns if c != column}
    name, n = new, 2
    while name in others:
        name, n = f"{new} ({n})", n + 1
    return name


def _leaves(value: Any) -> list[str]:
    """The strings to detect in a cell: the cell itself, or every key and string inside a
    nested object or list (JSONL), in a fixed order."""
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (str(k), *_leaves(v))]
    if isinstance(value, list):
        return [t for v in value for t in _leaves(v)]
    if isinstance(value, (bool, int, float)) or value is None:
        return [] if isinstance(value, bool) or value is None or is_plain_number(value) else [cell_text(value)]
    return [cell_text(value)]


def _rebuild(value: Any, redacted: Iterator[str]) -> Any:
    """`value` with its leaves (as listed by _leaves) replaced from `redacted`, types kept."""
    if isinstance(value, dict):
        out = {}
        for v in value.values():
            key = next(redacted)
            out[key] = _rebuild(v, redacted)
        return out
    if isinstance(value, list):
        return [_rebuild(v, redacted) for v in value]
    if isinstance(value, bool) or value is None or (isinstance(value, (int, float)) and is_plain_number(value)):
        return value
    new = next(redacted)
    return value if new == cell_text(value) else new


def neutralise_formula(value: Any) -> Any:
    """OWASP: a text cell that a spreadsheet would run as a formula gets a leading single quote.
    Plain numbers ("-12.5") are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not is_plain_number(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutralise_formula(str(c)) for c in frame.columns]
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd_is_string(series):
            out[column] = series.map(neutralise_formula, na_action="ignore")
    return out


def pd_is_string(series) -> bool:
    import pandas as pd

    return pd.api.types.is_string_dtype(series.dtype)


def _names(frame: pd.DataFrame, plan: Plan) -> re.Pattern | None:
    """The names in this chunk's id and people columns, and each of their words, as one pattern:
    a table is its own roster ("Faith Mbeki" in `participant` finds "Faith" in `note`)."""
    columns = [c for c, r in plan.roles.items() if r == "id" or c in plan.people]
    words: set[str] = set()
    for column in columns:
        for value in frame[column].dropna().map(cell_text).unique():
            value = " ".join(value.split())
            parts = [w for w in re.findall(r"[^\W\d_][\w'’-]*", value) if len(w) >= NAME_MIN_CHARS]
            if parts:
                words.add(value)
                words.update(parts)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w@.])(?:{alternatives})(?![\w@])")


def with_names(text: str, spans: list[Span], names: re.Pattern | None) -> list[Span]:
    """Detected spans plus PERSON spans for table-roster names they do not already cover."""
    if names is None:
        return spans
    extra = [Span(m.start(), m.end(), "PERSON", 1.0, "redact:table-roster") for m in names.finditer(text)
             if not any(s.start < m.end() and m.start() < s.end for s in spans)]
    return sorted(spans + extra) if extra else spans


def _dates(series: pd.Series, rules: TableRules) -> tuple[pd.Series, pd.Index]:
    """(coarsened or shifted dates, index of values that are not dates); never the original value."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = series
    else:
        try:
            parsed = pd.to_datetime(series.map(cell_text), errors="coerce", format="mixed")
        except (ValueError, TypeError, OverflowError):   # e.g. mixed time zones: treat all as text
            return series.iloc[0:0], series.index
    ok = parsed.notna()
    good = parsed[ok]
    if rules.roles.mode == "month":
        out = good.dt.strftime("%Y-%m")
    else:
        shifted = good + pd.Timedelta(days=shift_days(rules.secret, rules.policy))
        out = shifted if pd.api.types.is_datetime64_any_dtype(series.dtype) else shifted.dt.strftime("%Y-%m-%d")
    return out, series.index[~ok]


# --- documents -----------------------------------------------------------------------------------

class TableDocument:
    """A table read in chunks and written chunk by chunk through the same plan and replacer.
    `chunks` can be iterated once: the file is read once, front to back."""

    def __init__(self, chunks: Callable[[], Iterator[pd.DataFrame]], writer: ChunkWriter,
                 rules: TableRules, text: TextSource | None = None) -> None:
        self.chunks = chunks
        self.writer = writer
        self.rules = rules
        self.text = text
        self.notes: list[str] = []

    @property
    def encoding(self) -> str | None:
        """The text encoding read so far (it can switch to the fallback part way, see TextSource)."""
        return self.text.encoding if self.text is not None else None

    def write(self, sink: BinaryIO, session: Session) -> None:
        plan = None
        with self.writer(sink) as put:
            for chunk in self.chunks():
                if plan is None or any(c not in plan.roles for c in chunk.columns):
                    plan = plan_columns(chunk, self.rules.roles, session, plan)
                    self.notes = plan.notes
                put(transform(chunk, plan, self.rules, session), chunk)


ChunkWriter = Callable[[BinaryIO], Any]   # context manager yielding put(out_frame, in_frame)


def _source(path: Path, source: BinaryIO | None) -> tuple[BinaryIO, bool]:
    """(what to read, whether the document closes it when read): the run's hashing reader, which
    the run closes, else the path opened here."""
    return (source, False) if source is not None else (path.open("rb", buffering=0), True)


# The encoding is told from the first 64 KiB, line ends too; held from open to write, so small.
HEAD_BYTES = 1 << 16
NOT_UTF8_HINT = "pass --encoding with the file's encoding"


def _known_encoding(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def _ascii_compatible(encoding: str) -> bool:
    try:
        return bytes(range(128)).decode(encoding) == "".join(map(chr, range(128)))
    except (UnicodeDecodeError, LookupError):
        return False


class TextSource(io.RawIOBase):
    """A text table's bytes for a UTF-8 text wrapper, checked as they are read (one pass): the
    encoding is told from the first block (a byte-order mark; else UTF-8 when the block is valid
    UTF-8; else `fallback`, --encoding). A later byte that is not UTF-8 switches to the fallback
    only when everything before it was ASCII, which reads the same in the fallback; after other
    UTF-8 text the file is refused as mixed (decoding it all with the fallback would garble the
    UTF-8 text read so far, names too). NUL bytes are refused (a binary file) unless a UTF-16
    byte-order mark says otherwise. Errors are raised as InputError when they are met.
    `owned`: `raw` is closed with this source (else its opener, the run, closes it)."""

    def __init__(self, raw: BinaryIO, fallback: str | None, owned: bool = False) -> None:
        super().__init__()
        from redact.io.text import BOMS

        self.raw, self.owned = raw, owned
        self.fallback = _known_encoding(fallback)
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.ascii = True   # every byte converted so far was ASCII
        self.taken = False
        try:
            head = read_at_most(raw, HEAD_BYTES)
            self.newline = "\r\n" if b"\r\n" in head else "\n"
            self.bom = next((encoding for bom, encoding in BOMS if head.startswith(bom)), None)
            self.encoding = self.bom or "utf-8"
            self.done = len(head) < HEAD_BYTES
            self.pending = memoryview(head if self.bom else self._convert(head, first=True))
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.owned and not self.closed:
            self.raw.close()
        super().close()

    def readable(self) -> bool:
        return True

    def text(self, newline: str | None) -> io.TextIOWrapper:
        """The text, once (the file is not read again)."""
        if self.taken:
            raise RuntimeError("a table's text can be read once")
        self.taken = True
        return io.TextIOWrapper(io.BufferedReader(self, READ_CHUNK), encoding=self.bom or "utf-8", newline=newline)

    def readinto(self, buffer) -> int:
        while not self.pending and not self.done:
            block = self.raw.read(READ_CHUNK)
            self.done = not block
            self.pending = memoryview(block if self.bom else self._convert(block))
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def _convert(self, block: bytes, first: bool = False) -> bytes:
        if b"\x00" in block:
            raise InputError("binary file (contains NUL bytes)")
        try:
            text = self.decoder.decode(block, self.done)
        except UnicodeDecodeError as exc:
            text = self._switch(block, exc, first)
        self.ascii = self.ascii and block.isascii()
        return text.encode("utf-8")

    def _switch(self, block: bytes, exc: UnicodeDecodeError, first: bool) -> str:
        """The block decoded with the fallback, from here to the end of the file."""
        if self.encoding != "utf-8":
            raise InputError(f"not valid {self.encoding}", hint=NOT_UTF8_HINT) from None
        if self.fallback is None:
            raise InputError("not valid UTF-8", hint=NOT_UTF8_HINT) from None
        # The first block is decoded whole again; a later one only after ASCII alone (then the
        # incremental decoder holds nothing, and exc.start is an offset into `block`).
        if not (first or self.ascii and block[:exc.start].isascii() and _ascii_compatible(self.fallback)):
            raise InputError("mixed encodings (UTF-8 text, then bytes that are not UTF-8)",
                             hint="convert the file to one encoding, e.g. UTF-8") from None
        self.encoding = self.fallback
        self.decoder = codecs.getincrementaldecoder(self.fallback)()
        try:
            return self.decoder.decode(block, self.done)
        except UnicodeDecodeError:
            raise InputError(f"not valid {self.fallback}", hint=NOT_UTF8_HINT) from None


def _out_encoding(encoding: str) -> str:
    return encoding if encoding in {"utf-8", "utf-8-sig", "utf-16"} else "utf-8"


class _TextSink:
    """A text wrapper over the binary sink that leaves the sink open."""

    def __init__(self, sink: BinaryIO, encoding: str) -> None:
        self.text = io.TextIOWrapper(sink, encoding=_out_encoding(encoding), newline="")

    def __enter__(self) -> io.TextIOWrapper:
        return self.text

    def __exit__(self, *exc) -> None:
        self.text.flush()
        self.text.detach()


# --- CSV / TSV -------------------------------------------------------------------------------------

def _csv_chunks(source: TextSource, sep: str) -> Iterator[pd.DataFrame]:
    """Strict parsing (csv module): a row with more or fewer fields than the header, or an
    unterminated quote, is an InputError naming the line, never the content."""
    import pandas as pd

    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    kind = "TSV" if sep == "\t" else "CSV"
    with source.text(newline="") as handle:
        reader = csv.reader(handle, delimiter=sep, strict=True)
        try:
            header = next(reader, None)
            if not header:
                raise InputError(f"malformed {kind}: no header row")
            if len(set(header)) != len(header):
                raise InputError(f"malformed {kind}: duplicate column headers")
            first = True
            while True:
                rows = list(islice(reader, CHUNK_ROWS))
                for offset, row in enumerate(rows):
                    if len(row) != len(header):
                        raise InputError(f"malformed {kind}: a row has {len(row)} fields, the header "
                                         f"{len(header)} (line {_line_number(reader, len(rows), offset)})")
                if not rows and not first:
                    return
                first = False
                yield pd.DataFrame(rows, columns=header, dtype="str")
                if len(rows) < CHUNK_ROWS:
                    return
        except csv.Error as exc:
            problem = "unterminated quoted field" if "end of data" in str(exc) else "bad quoting"
            raise InputError(f"malformed {kind}: {problem} (near line {reader.line_num})") from None
        except UnicodeDecodeError:
            raise InputError(f"not valid {source.encoding}", hint=NOT_UTF8_HINT) from None


def _line_number(reader, rows_read: int, offset: int) -> int:
    # reader.line_num is the line reached after the whole chunk (exact unless quoted fields span lines).
    return reader.line_num - (rows_read - 1 - offset)


def _csv_writer(sep: str, encoding: str, newline: str, keep_formulas: bool = False):
    class Writer:
        def __init__(self, sink: BinaryIO) -> None:
            self.sink = _TextSink(sink, encoding)

        def __enter__(self):
            text = self.sink.__enter__()
            state = {"header": True}

            def put(out: pd.DataFrame, _: pd.DataFrame) -> None:
                if not keep_formulas:
                    out = neutralise_frame(out)
                out.to_csv(text, sep=sep, index=False, header=state["header"], lineterminator=newline)
                state["header"] = False
            return put

        def __exit__(self, *exc) -> None:
            self.sink.__exit__(*exc)
    return Writer


@dataclass(frozen=True)
class DelimitedFormat:
    name: str
    suffixes: tuple[str, ...]
    sep: str

    def open(self, path: Path, rel: PurePosixPath, options, source: BinaryIO | None = None) -> TableDocument:
        """`source`: the open input (the run passes its hashing reader), else `path` is opened."""
        raw, owned = _source(path, source)
        text = TextSource(raw, options.encoding, owned)
        rules = _rules(rel, options)
        return TableDocument(lambda: _csv_chunks(text, self.sep),
                             _csv_writer(self.sep, text.encoding, text.newline, rules.keep_formulas), rules, text)


# --- JSONL -----------------------------------------------------------------------------------------

def _jsonl_chunks(source: TextSource, records: list) -> Iterator[pd.DataFrame]:
    """Frames of CHUNK_ROWS records; `records` receives each chunk's original dicts, so untouched
    values are written back with their own JSON types and keys in their own order."""
    import pandas as pd

    with source.text(newline=None) as handle:
        numbered = ((n, line) for n, line in enumerate(handle, 1) if line.strip())
        try:
            while batch := list(islice(numbered, CHUNK_ROWS)):
                records.clear()
                for n, line in batch:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        raise InputError(f"malformed JSONL: line {n} is not valid JSON") from None
                    if not isinstance(record, dict):
                        raise InputError(f"malformed JSONL: line {n} is not a JSON object")
                    records.append(record)
                columns = list(dict.fromkeys(k for r in records for k in r))
                yield pd.DataFrame.from_records(records, columns=columns).astype(object)
        except UnicodeDecodeError:
            raise InputError(f"not valid {source.encoding}", hint=NOT_UTF8_HINT) from None


def _jsonl_writer(encoding: str, records: list):
    class Writer:
        def __init__(self, sink: BinaryIO) -> None:
            self.sink = _TextSink(sink, encoding)

        def __enter__(self):
            text = self.sink.__enter__()

            def put(out: pd.DataFrame, before: pd.DataFrame) -> None:
                written = out.attrs.get("redact_columns") or {c: c for c in out.columns}   # key -> new key
                # Rows follow the frame's index, so a row dropped upstream (consent rules) drops its
                # record. A cell is compared with the original record, not with `before`: a cell
                # changed before detection (withheld text) must not fall back to the original.
                for record, values in zip((records[i] for i in before.index), out.to_dict("records")):
                    line = {}
                    for k, v in record.items():
                        if k in written:
                            new = values[written[k]]
                            line[written[k]] = v if _unchanged(new, v) else _json_value(new)
                    text.write(json.dumps(line, ensure_ascii=False) + "\n")
            return put

        def __exit__(self, *exc) -> None:
            self.sink.__exit__(*exc)
    return Writer


def _unchanged(new: Any, original: Any) -> bool:
    """The cell still holds the record's value (kept with its JSON type: numbers, objects, lists)."""
    return new is original or (type(new) is type(original) and new == original)


def _json_value(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, float) and value != value:   # NaN
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class JsonlFormat:
    name: str = "jsonl"
    suffixes: tuple[str, ...] = (".jsonl", ".ndjson")

    def open(self, path: Path, rel: PurePosixPath, options, source: BinaryIO | None = None) -> TableDocument:
        raw, owned = _source(path, source)
        text = TextSource(raw, options.encoding, owned)
        records: list[dict] = []
        return TableDocument(lambda: _jsonl_chunks(text, records),
                             _jsonl_writer(text.encoding, records), _rules(rel, options), text)


# --- XLSX and Parquet (read whole: they are compressed containers) ---------------------------------
# Both need random access (the zip directory and the Parquet footer sit at the end), so the file is
# read into memory once, front to back (hashed on the way), and parsed from there: at most
# --max-bytes, and less than the frames parsed from it, which are held whole anyway. Not a temporary
# file: that would put the unredacted bytes on disk.

def _read_whole(raw: BinaryIO, owned: bool, limit: int | None) -> bytes:
    try:
        return read_whole(raw, limit)
    finally:
        if owned:
            raw.close()


class _BytesWriter:
    """Collects whole frames, then renders them into the sink at the end."""

    def __init__(self, sink: BinaryIO, render: Callable[[list[pd.DataFrame], BinaryIO], None]) -> None:
        self.sink, self.render, self.frames = sink, render, []

    def __enter__(self):
        return lambda out, _: self.frames.append(out)

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.render(self.frames, self.sink)


class XlsxDocument:
    """Every sheet, hidden ones too, is a table with the same column roles; a sheet name that
    contains a detected identifier becomes "SheetN". The output is a fresh workbook (see the
    module docstring for what is not carried over)."""

    encoding = None

    def __init__(self, raw: BinaryIO, owned: bool, limit: int | None, rules: TableRules) -> None:
        self.raw, self.owned, self.limit = raw, owned, limit
        self.rules = rules
        self.notes: list[str] = []

    def _read(self) -> dict[str, pd.DataFrame]:
        import pandas as pd

        from redact.io.archive import open_checked

        data = _read_whole(self.raw, self.owned, self.limit)
        open_checked(data, "XLSX workbook").close()   # decompression bombs refused unread
        try:
            with warnings.catch_warnings():   # openpyxl warns about features it drops
                warnings.simplefilter("ignore")
                return pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl")
        except Exception:   # zip, XML and openpyxl errors alike; their messages may quote cells
            raise InputError("corrupt or unreadable XLSX workbook") from None

    def write(self, sink: BinaryIO, session: Session) -> None:
        import pandas as pd

        book = self._read()
        frames = []
        for frame in book.values():
            plan = plan_columns(frame, self.rules.roles, session)
            self.notes += [n for n in plan.notes if n not in self.notes]
            frames.append(transform(frame, plan, self.rules, session))
        names = [name if not spans else f"Sheet{i}"
                 for i, (name, spans) in enumerate(zip(book, session.detect(list(book))), 1)]
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            writer.book.properties.creator = None   # no document properties carried or invented
            for name, frame in zip(names, frames):
                frame.attrs = {}
                if not self.rules.keep_formulas:
                    frame = neutralise_frame(frame)
                frame.to_excel(writer, sheet_name=name, index=False)
        sink.write(buffer.getvalue())


@dataclass(frozen=True)
class XlsxFormat:
    name: str = "xlsx"
    suffixes: tuple[str, ...] = (".xlsx",)

    def open(self, path: Path, rel: PurePosixPath, options, source: BinaryIO | None = None) -> XlsxDocument:
        return XlsxDocument(*_source(path, source), getattr(options, "max_bytes", None), _rules(rel, options))


def _parquet_chunks(raw: BinaryIO, owned: bool, limit: int | None) -> Iterator[pd.DataFrame]:
    import pandas as pd

    data = _read_whole(raw, owned, limit)
    try:
        frame = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    except Exception:
        raise InputError("corrupt or unreadable Parquet file") from None
    del data   # the frame holds what is needed
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()   # a stored index is data too: it goes through the column roles
    yield frame


def _parquet_render(frames: list[pd.DataFrame], sink: BinaryIO) -> None:
    """The frame as Parquet with no metadata but pandas' own column and type description (built
    from the de-identified frame): input key-value metadata and pandas attrs are not carried."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = frames[0]
    frame.attrs = {}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    keep = {k: v for k, v in (table.schema.metadata or {}).items() if k == b"pandas"}
    schema = pa.schema([f.remove_metadata() for f in table.schema], metadata=keep)
    buffer = io.BytesIO()
    pq.write_table(table.cast(schema), buffer)
    sink.write(buffer.getvalue())


@dataclass(frozen=True)
class ParquetFormat:
    name: str = "parquet"
    suffixes: tuple[str, ...] = (".parquet",)

    def open(self, path: Path, rel: PurePosixPath, options, source: BinaryIO | None = None) -> TableDocument:
        raw, owned = _source(path, source)
        limit = getattr(options, "max_bytes", None)
        return TableDocument(lambda: _parquet_chunks(raw, owned, limit),
                             lambda sink: _BytesWriter(sink, _parquet_render), _rules(rel, options))


def _rules(rel: PurePosixPath, options) -> TableRules:
    tables: TableConfig = getattr(options, "tables", None) or TableConfig()
    return TableRules(tables.roles_for(rel), getattr(options, "secret", None),
                      bool(getattr(options, "keep_formulas", False)), getattr(options, "policy", None))


FORMATS = [DelimitedFormat("csv", (".csv",), ","), DelimitedFormat("tsv", (".tsv", ".tab"), "\t"),
           JsonlFormat(), XlsxFormat(), ParquetFormat()]

