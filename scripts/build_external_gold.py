"""Build a gold JSONL from Microsoft Presidio's sentence templates, filled with Faker values.

The templates are *not* written by this project: they ship with ``presidio-evaluator``
(MIT licence; see tests/fixtures/external/README.md) at
``presidio_evaluator/data_generator/raw_data/templates.txt``. Get them with::

    pip download presidio-evaluator==0.3.2 --no-deps -d /tmp/dl
    unzip -o /tmp/dl/presidio_evaluator-0.3.2-py3-none-any.whl -d /tmp/pe

Then, from the project root::

    python scripts/build_external_gold.py \\
        --templates /tmp/pe/presidio_evaluator/data_generator/raw_data/templates.txt \\
        --out tests/fixtures/external/presidio_templates.gold.jsonl

``--templates`` also accepts the unzipped wheel directory or the ``.whl`` file itself; without
it the installed ``presidio_evaluator`` package is used, if any.

Each template line becomes one document (``\\n`` in a template is a line break; everything else
is kept verbatim). The first pass takes every template in file order, later passes take them in
a seeded shuffled order, until ``--docs`` documents exist. Placeholders (``{{kind}}``, and the
one ``{kind}`` typo in the file) are filled from ``Faker('en_US')`` seeded with ``--seed``; the
output is deterministic for a given Faker version (no value depends on today's date). Spans
are the exact offsets of the inserted values (asserted while building) and use the labels of
tests/fixtures/ANNOTATION.md:

* PERSON: name, person, first/last names (any gender). Prefixes (Mr., Dr.) are filled but not
  part of any span; names are "First Last" without prefix or suffix.
* LOCATION: city, country, state_abbr.
* ADDRESS: street_name, building_number, secondary_address; neighbours on one line separated
  by spaces form one span ("123 Oak Lane Apt. 4"); a literal " St"/" street" right after a
  street name is included, its abbreviation dot is not, as in the project's own gold (the street
  name is then filled without its own suffix: "Hobbs St.").
* ``{{address}}`` is composed from parts like the project's own gold does:
  ADDRESS street part (with apartment), LOCATION city, LOCATION state abbreviation, ZIP.
* ZIP: zipcode, postcode. ORGANIZATION: organization (Faker company names).
* DATE: date_of_birth (several formats); date_time is written as a date, mostly followed by a
  time of day, and the two are one span (ANNOTATION.md: a timestamp is one DATE; a weekday
  before it is not part of it).
* AGE, PHONE, EMAIL, URL, IP_ADDRESS as named; ID: credit_card_number, iban, ssn,
  us_driver_license.
* Filled but NOT annotated (not identifiers in this project): prefix*, job, nationality,
  nation_woman, nation_plural, year (a year alone), day_of_week (a weekday alone).

``--no-state-country`` leaves countries and state abbreviations unannotated, as the project's
ANNOTATION.md does ("US states and countries alone" are not identifiers); by default they are
LOCATION. ``--kinds-out`` writes a side file with the placeholder kind and template line of every
span, for analysing leaks. Templates with a placeholder not listed here are skipped and counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

from faker import Faker

TEMPLATES_IN_PACKAGE = "presidio_evaluator/data_generator/raw_data/templates.txt"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}|\{(\w+)\}")

LABEL = {
    "person": "PERSON", "name": "PERSON", "name_male": "PERSON", "name_female": "PERSON",
    "first_name": "PERSON", "first_name_male": "PERSON", "first_name_female": "PERSON",
    "first_name_nonbinary": "PERSON", "last_name": "PERSON", "last_name_male": "PERSON",
    "last_name_female": "PERSON",
    "city": "LOCATION", "country": "LOCATION", "state_abbr": "LOCATION", "state": "LOCATION",
    "county": "LOCATION",
    "street_name": "ADDRESS", "building_number": "ADDRESS", "secondary_address": "ADDRESS",
    "street_address": "ADDRESS",
    "zipcode": "ZIP", "postcode": "ZIP",
    "organization": "ORGANIZATION", "company": "ORGANIZATION",
    "date_of_birth": "DATE", "date_time": "DATE", "date": "DATE",
    "age": "AGE", "phone_number": "PHONE", "email": "EMAIL", "url": "URL",
    "ip_address": "IP_ADDRESS",
    "credit_card_number": "ID", "iban": "ID", "ssn": "ID", "us_driver_license": "ID",
    "user_name": "USERNAME",
    # composite, expanded by Filler.address()
    "address": "ADDRESS",
    # filled, never annotated
    "prefix": None, "prefix_male": None, "prefix_female": None, "job": None,
    "nationality": None, "nation_woman": None, "nation_man": None, "nation_plural": None,
    "year": None, "day_of_week": None,
}
STATE_COUNTRY = {"country", "state_abbr", "state"}

# (adjective, woman, plural); nationality words are not identifiers here
NATIONS = [
    ("French", "a French woman", "French people"), ("Kenyan", "a Kenyan woman", "Kenyans"),
    ("Brazilian", "a Brazilian woman", "Brazilians"), ("Irish", "an Irish woman", "Irish people"),
    ("Vietnamese", "a Vietnamese woman", "Vietnamese people"), ("Polish", "a Polish woman", "Poles"),
    ("Mexican", "a Mexican woman", "Mexicans"), ("Canadian", "a Canadian woman", "Canadians"),
    ("Nigerian", "a Nigerian woman", "Nigerians"), ("Swedish", "a Swedish woman", "Swedes"),
    ("Indian", "an Indian woman", "Indians"), ("Italian", "an Italian woman", "Italians"),
]
DOB_FORMATS = ["%m/%d/%Y", "%B %d, %Y", "%d %b %Y", "%Y-%m-%d", "%b %d %Y", "%-m/%-d/%y"]
# (weekday, date part, separator, time part): the date with its time of day is one DATE span (a
# timestamp, ANNOTATION.md); a weekday alone is not a date, so "%A, " stays outside
DATETIME_FORMATS = [("", "%B %d, %Y", " at ", "%I:%M %p"), ("", "%m/%d/%Y", " ", "%H:%M"),
                    ("", "%Y-%m-%d", " ", "%H:%M:%S"), ("%A, ", "%B %d, %Y", ", ", "%I:%M %p"),
                    ("", "%d %B %Y", "", ""), ("", "%B %d, %Y", "", "")]
DL_FORMATS = ["?#######", "?########", "#########", "??######", "?###-####-####", "###-##-####"]
STREET_SUFFIX_AFTER = re.compile(r" (?:St|[Ss]treet)\b")


class Filler:
    """Deterministic Faker-backed values for Presidio placeholder kinds."""

    def __init__(self, seed: int):
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.rnd = self.fake.random

    def pick(self, seq):
        return seq[self.rnd.randrange(len(seq))]

    def value(self, kind: str, bare_street: bool = False) -> str:
        f = self.fake
        if kind in ("person", "name"):
            return f"{f.first_name()} {f.last_name()}"
        if kind == "name_male":
            return f"{f.first_name_male()} {f.last_name()}"
        if kind == "name_female":
            return f"{f.first_name_female()} {f.last_name()}"
        if kind == "street_name" and bare_street:
            return f.last_name()
        if kind in ("zipcode", "postcode"):
            return f.zipcode_plus4() if self.rnd.random() < 0.1 else f.zipcode()
        if kind in ("organization", "company"):
            return f.company()
        if kind == "date_of_birth":
            born = f.date_between(dt.date(1935, 1, 1), dt.date(2007, 12, 31))  # fixed range: reproducible
            return born.strftime(self.pick(DOB_FORMATS))
        if kind == "age":
            return str(f.random_int(18, 92))
        if kind == "email":
            return f.email(safe=True)
        if kind == "url":
            return f.uri() if self.rnd.random() < 0.5 else f.url()
        if kind == "ip_address":
            return f.ipv6() if self.rnd.random() < 0.2 else f.ipv4_public()
        if kind == "us_driver_license":
            return f.bothify(self.pick(DL_FORMATS), letters="ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if kind == "user_name":
            return f.user_name()
        if kind == "county":
            return f"{f.last_name()} County"
        if kind in ("nationality", "nation_woman", "nation_man", "nation_plural"):
            adj, woman, plural = self.pick(NATIONS)
            return {"nationality": adj, "nation_woman": woman, "nation_man": woman.replace("woman", "man"),
                    "nation_plural": plural}[kind]
        if kind == "year":
            return str(f.random_int(1950, 2024))
        if kind == "day_of_week":
            return self.pick(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
        return str(getattr(f, kind)())

    def date_time(self) -> list[tuple[str, str | None, str]]:
        """A date, mostly with a time of day, as (text, label, kind) pieces."""
        when = self.fake.date_time_between(dt.datetime(2019, 1, 1), dt.datetime(2026, 1, 1))
        pre, date_fmt, sep, time_fmt = self.pick(DATETIME_FORMATS)
        return [(when.strftime(pre), None, ""), (when.strftime(date_fmt + sep + time_fmt), "DATE", "date_time")]

    def address(self) -> list[tuple[str, str | None, str]]:
        """A postal address as (text, label, kind) pieces; label None = separator."""
        f = self.fake
        street = f"{f.building_number()} {f.street_name()}"
        style = self.rnd.randrange(5)
        if style == 1:
            street += f" {f.secondary_address()}"
        elif style == 3:
            street += f", {f.secondary_address()}"
        parts = [(street, "ADDRESS", "address.street")]
        sep = "\n" if style == 2 else ", "
        parts += [(sep, None, ""), (f.city(), "LOCATION", "address.city")]
        if style != 4:
            zipc = f.zipcode_plus4() if self.rnd.random() < 0.1 else f.zipcode()
            parts += [(", ", None, ""), (f.state_abbr(), "LOCATION", "address.state_abbr"),
                      (" ", None, ""), (zipc, "ZIP", "address.zip")]
        return parts


def read_templates(source: Path | None) -> list[str]:
    if source is None:
        try:
            import presidio_evaluator  # type: ignore
        except ImportError:
            raise SystemExit("presidio_evaluator is not installed: pass --templates (see --help)") from None
        source = Path(presidio_evaluator.__file__).parent / "data_generator/raw_data/templates.txt"
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as whl:
            data = whl.read(TEMPLATES_IN_PACKAGE).decode("utf-8")
    else:
        if source.is_dir():
            source = source / TEMPLATES_IN_PACKAGE
        data = source.read_text(encoding="utf-8")
    return [line.rstrip("\r\n") for line in io.StringIO(data) if line.strip()]


def fill(template: str, filler: Filler, skip_state_country: bool) -> tuple[str, list[dict]]:
    """Fill one template. Returns text and spans with an extra "kind" key."""
    raw = template.replace("\\n", "\n")
    out: list[str] = []
    spans: list[dict] = []
    length = 0
    pos = 0

    def emit(text: str, label: str | None, kind: str):
        nonlocal length
        out.append(text)
        if label:
            spans.append({"start": length, "end": length + len(text), "label": label, "kind": kind,
                          "value": text})
        length += len(text)

    for m in PLACEHOLDER.finditer(raw):
        kind = m.group(1) or m.group(2)
        emit(raw[pos:m.start()], None, "")
        pos = m.end()
        if kind in ("address", "date_time", "date"):
            for text, label, sub in (filler.address() if kind == "address" else filler.date_time()):
                if skip_state_country and sub == "address.state_abbr":
                    label = None
                emit(text, label, sub)
            continue
        label = LABEL[kind]
        if skip_state_country and kind in STATE_COUNTRY:
            label = None
        bare = kind == "street_name" and bool(STREET_SUFFIX_AFTER.match(raw, m.end()))
        value = filler.value(kind, bare_street=bare)
        emit(value, label, kind)
        if bare and label:  # the template's own " St" / " street" belongs to the street name
            suffix = STREET_SUFFIX_AFTER.match(raw, m.end()).group(0)
            emit(suffix, None, "")
            spans[-1]["end"] = length
            spans[-1]["value"] += suffix
            pos += len(suffix)
    emit(raw[pos:], None, "")
    text = "".join(out)
    for s in spans:  # every span is exactly the inserted value
        assert text[s["start"]:s["end"]] == s.pop("value"), (template, s)
    return text, merge_addresses(text, spans)


def merge_addresses(text: str, spans: list[dict]) -> list[dict]:
    """Join ADDRESS spans separated only by spaces (no line break): "12 Oak Lane Apt. 3"."""
    merged: list[dict] = []
    for s in spans:
        prev = merged[-1] if merged else None
        if (prev and prev["label"] == s["label"] == "ADDRESS"
                and text[prev["end"]:s["start"]].strip(" ") == "" and s["start"] - prev["end"] <= 2):
            prev["end"] = s["end"]
            prev["kind"] = f"{prev['kind']}+{s['kind']}"
        else:
            merged.append(dict(s))
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--templates", type=Path,
                        help="templates.txt, the unzipped wheel directory, or the .whl file")
    parser.add_argument("--out", type=Path, default=Path("tests/fixtures/external/presidio_templates.gold.jsonl"))
    parser.add_argument("--docs", type=int, default=300, help="number of documents (default 300)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-state-country", action="store_true",
                        help="do not annotate countries and state abbreviations (ANNOTATION.md rule)")
    parser.add_argument("--kinds-out", type=Path, help="also write span kinds and template lines here")
    args = parser.parse_args(argv)

    templates = read_templates(args.templates)
    filler = Filler(args.seed)
    skipped = Counter()
    usable = []
    for n, t in enumerate(templates, 1):
        unknown = {a or b for a, b in PLACEHOLDER.findall(t)} - LABEL.keys()
        if unknown:
            skipped.update(unknown)
            print(f"skip template {n}: unknown placeholder(s) {sorted(unknown)}", file=sys.stderr)
        else:
            usable.append((n, t))
    if not usable:
        raise SystemExit("no usable templates")

    order = list(range(len(usable)))
    rounds = 0
    while len(order) < args.docs:
        rounds += 1
        extra = list(range(len(usable)))
        filler.rnd.shuffle(extra)
        order += extra
    order = order[:args.docs]

    gold_lines, kind_lines, seen = [], [], Counter()
    labels = Counter()
    for idx in order:
        line_no, template = usable[idx]
        seen[line_no] += 1
        doc_id = f"presidio-templates/line{line_no:03d}#{seen[line_no]}"
        text, spans = fill(template, filler, args.no_state_country)
        for s in spans:
            value = text[s["start"]:s["end"]]
            assert 0 <= s["start"] < s["end"] <= len(text) and value.strip() == value, (doc_id, s)
            labels[s["label"]] += 1
        gold_lines.append(json.dumps({"id": doc_id, "text": text, "spans": [
            {"start": s["start"], "end": s["end"], "label": s["label"]} for s in spans]}, ensure_ascii=False))
        kind_lines.append(json.dumps({"id": doc_id, "template_line": line_no, "spans": spans}, ensure_ascii=False))

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(gold_lines) + "\n", encoding="utf-8")
    if args.kinds_out:
        args.kinds_out.parent.mkdir(parents=True, exist_ok=True)
        args.kinds_out.write_text("\n".join(kind_lines) + "\n", encoding="utf-8")
    print(f"{len(templates)} templates, {len(usable)} used, {len(templates) - len(usable)} skipped "
          f"{dict(skipped) if skipped else ''}", file=sys.stderr)
    print(f"{len(gold_lines)} documents, {sum(labels.values())} mentions -> {args.out}", file=sys.stderr)
    for label, count in sorted(labels.items()):
        print(f"  {label:<13}{count:>5}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
