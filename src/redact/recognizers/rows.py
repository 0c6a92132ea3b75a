"""Delimited rows pasted into notes (attendance exports, sign-in sheets): a header line names
what each column holds, so "58" under "Age" and "34712" under "zip" are identifiers even with no
words around them."""

from __future__ import annotations

import re

from presidio_analyzer import LocalRecognizer, RecognizerResult

from redact.config import DetectionConfig

DELIMITERS = ("|", ";", "\t", ",")
HEADER_CELL = re.compile(r"^[A-Za-z#][A-Za-z0-9 _/#.()&-]{0,30}$")
# "client_age=28", "| Age | 30 |", "zip: 06513": one field per line.
KEY_VALUE = re.compile(r"(?:^|(?<=\t)|(?<= {2})|(?<=[|;]) ?)[ \t>*-]*(?P<key>[A-Za-z][\w /#.()-]{0,30}?)[ \t]*"
                       r"(?:[:=|]|\t)[ \t]*(?P<value>[^\n\t|;]+?)(?=\s{2,}|\t|[ \t]?[|;]|[ \t]*$)", re.MULTILINE)
NICKNAME_KEYS = {"preferred", "preferred name", "goes by", "also known as", "aka", "nickname",
                 "client preferred", "participant preferred"}
# A name value from a key-value line must look like a name: one to three capitalised words.
NAME_VALUE = re.compile(r"^[\"“]?\w[\w'’.-]*(?:[ ,]+\w[\w'’.-]*){0,2}[\"”]?$")
# What a cell must look like to be taken, per label; other labels take any non-empty cell.
CELL_SHAPES = {
    "ZIP": re.compile(r"^\d{5}(?:-\d{4})?$"),
    "AGE": re.compile(r"^\d{1,3}$"),
    "PERSON": re.compile(r"^[^\d@]+$"),
    "LOCATION": re.compile(r"^[^\d@]+$"),
    # Numbers have digits and fit in a field: a heading such as "DESCRIPTION OF THE CASE:" is
    # followed by prose, not by a case number.
    "ID": re.compile(r"^(?=\D*\d)[^\s@]+(?: [^\s@]+){0,3}$"),
    "PHONE": re.compile(r"^(?=(?:\D*\d){7}).{7,40}$"),
    "DATE": re.compile(r"^(?=\D*\d).{1,40}$"),
}


def _header_key(cell: str) -> str:
    return re.sub(r"[\s_]+", " ", cell.strip().strip("#").strip()).lower()


class DelimitedRowRecognizer(LocalRecognizer):
    """Cells of delimited rows under a header whose column name is in `columns` (detection.yaml)."""

    def __init__(self, config: DetectionConfig) -> None:
        self.columns = config.columns
        super().__init__(supported_entities=sorted(set(config.columns.values())), name="redact:table-rows",
                         supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        return [RecognizerResult(label, start, end, 0.7, recognition_metadata={"recognizer_name": self.name})
                for label, start, end in self.cells(text) if label in entities]

    def cells(self, text: str) -> list[tuple[str, int, int]]:
        return self._table_cells(text) + self._key_values(text)

    def _key_values(self, text: str) -> list[tuple[str, int, int]]:
        found = []
        for m in KEY_VALUE.finditer(text):
            label = self._label_for_key(m.group("key"))
            value = m.group("value").strip().strip('"“”')
            # Names and addresses in fields are judged by the name cues, which know their shapes.
            if not label or not value or label == "ADDRESS":
                continue
            shape = CELL_SHAPES.get(label)
            if shape and not shape.match(value):
                continue
            if label == "PERSON" and not (_header_key(m.group("key")) in NICKNAME_KEYS and NAME_VALUE.match(value)):
                continue  # names under other keys ("Peer: Mm-hm.") are left to the name cues
            start = text.find(value, m.start("value"))
            found.append((label, start, start + len(value)))
        return found

    def _label_for_key(self, key: str) -> str | None:
        """The label of a field key, trying the whole key, then its last two words, then its last
        word ("client_age" -> "age", "insurance member id" -> "member id")."""
        words = _header_key(key).split()
        for n in (len(words), 2, 1):
            label = self.columns.get(" ".join(words[-n:])) if words else None
            if label:
                return label
        return None

    def _table_cells(self, text: str) -> list[tuple[str, int, int]]:
        found: list[tuple[str, int, int]] = []
        roles: dict[int, str] | None = None
        delimiter = None
        pos = 0
        for line in text.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            if roles is not None and body.count(delimiter) >= 1:
                found += self._row(body, pos, delimiter, roles)
            else:
                roles, delimiter = self._header(body)
            pos += len(line)
        return found

    def header_lines(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each line that heads a table: it names its columns, none of its cells is
        an identifier ("Name | Group | Sessions")."""
        found, pos = [], 0
        for line in text.splitlines(keepends=True):
            if self._header(line.rstrip("\r\n"))[0]:
                found.append((pos, pos + len(line)))
            pos += len(line)
        return found

    def _header(self, line: str) -> tuple[dict[int, str] | None, str | None]:
        """Column index -> label, if the line is a header naming at least one identifier column."""
        for d in DELIMITERS:
            cells = line.split(d)
            filled = [c for c in cells if c.strip()]
            if len(filled) < 3 or not all(HEADER_CELL.match(c.strip()) for c in filled):
                continue
            roles = {i: self.columns[_header_key(c)] for i, c in enumerate(cells) if _header_key(c) in self.columns}
            if roles:
                return roles, d
        return None, None

    def _row(self, line: str, pos: int, delimiter: str, roles: dict[int, str]) -> list[tuple[str, int, int]]:
        found = []
        for i, (start, end) in enumerate(split_cells(line, delimiter)):
            label = roles.get(i)
            value = line[start:end]
            if not label or not any(c.isalnum() for c in value):
                continue
            shape = CELL_SHAPES.get(label)
            if shape and not shape.match(value):
                continue
            found.append((label, pos + start, pos + end))
        return found


def split_cells(line: str, delimiter: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's value, trimmed of spaces and CSV quotes; a delimiter inside
    double quotes ("Maffei, Michael") does not split."""
    cells, start, quoted = [], 0, False
    for i, c in enumerate(line + delimiter):
        if c == '"':
            quoted = not quoted
        elif c == delimiter and not quoted or i == len(line):
            a, b = start, i
            while a < b and line[a] in " \t":
                a += 1
            while b > a and line[b - 1] in " \t":
                b -= 1
            if b - a >= 2 and line[a] == line[b - 1] == '"':
                a, b = a + 1, b - 1
            cells.append((a, b))
            start = i + 1
    return cells
