"""Build the hostile-files suite: one file per place where an identifier hides in a real file.

Every planted value is invented (synthetic names, 555-01xx phone numbers, example.org
addresses). `build(folder)` writes the files and returns the cases; run it as a script to
look at the files:

    python tests/hostile/build.py /tmp/hostile
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Case:
    name: str              # also the file's stem
    suffix: str
    place: str             # the hiding place, for the report table
    planted: tuple[str, ...]   # values that must not survive (searched case-insensitively, normalised)
    expect: str = "ok"     # "ok" (written clean) or "quarantined"
    build: Callable[[], bytes] = field(default=lambda: b"", compare=False, repr=False)

    @property
    def filename(self) -> str:
        return f"{self.name}{self.suffix}"


# --- Word ---------------------------------------------------------------------------------------

def _docx(edit: Callable | None = None) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Weekly group notes. Everyone arrived on time.")
    if edit is not None:
        edit(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _patch(data: bytes, edits: dict[str, Callable[[str], str]] | None = None,
           add: dict[str, bytes] | None = None, rename: dict[str, str] | None = None) -> bytes:
    """A copy of a zip with members edited (as text), renamed or added."""
    edits, add, rename = edits or {}, add or {}, rename or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            member = source.read(info)
            if info.filename in edits:
                member = edits[info.filename](member.decode("utf-8")).encode("utf-8")
            out.writestr(rename.get(info.filename, info.filename), member)
        for name, member in add.items():
            out.writestr(name, member)
    return buffer.getvalue()


def _with_part(data: bytes, name: str, xml: str, content_type: str, rel_type: str,
               rels: str = "word/_rels/document.xml.rels", target: str | None = None) -> bytes:
    override = f'<Override PartName="/{name}" ContentType="{content_type}"/>'
    rel_id = f"rIdHostile{zlib.crc32(name.encode()) % 10000}"   # stable: the same bytes on every build
    rel = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target or name.split("/")[-1]}"/>'
    return _patch(data, {
        "[Content_Types].xml": lambda s: s.replace("</Types>", override + "</Types>"),
        rels: lambda s: s.replace("</Relationships>", rel + "</Relationships>"),
    }, {name: xml.encode("utf-8")})


def _notes(kind: str, text: str) -> str:
    tag = kind[:-1]   # footnotes -> footnote
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind} {W_NS}>'
            f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
            f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
            f'</w:{tag}>'
            f'<w:{tag} w:id="1"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:{tag}></w:{kind}>')


def docx_comments() -> bytes:
    def edit(document):
        paragraph = document.add_paragraph("The group discussed housing.")
        document.add_comment(paragraph.runs, text="Ask Ottoline Braithwaite about her lease.",
                             author="Ferdinand Quarrington", initials="FQ")
    return _docx(edit)


def docx_footnotes() -> bytes:
    data = _docx(lambda d: d.add_paragraph().add_run().element.append(_xml(
        f'<w:footnoteReference {W_NS} w:id="1"/>')))
    return _with_part(data, "word/footnotes.xml",
                      _notes("footnotes", "Source: a call with Wilhelmina Castellanos on 555-0187."),
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                      f"{REL_NS}/footnotes")


def docx_endnotes() -> bytes:
    return _with_part(_docx(), "word/endnotes.xml", _notes("endnotes", "Thanks to Bartholomew Ekwueme for the ride."),
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
                      f"{REL_NS}/endnotes")


def _header_with(text: str, xml: str) -> bytes:
    """A Word file whose header paragraph reads `text` and ends with the raw `xml` (closing </w:p>)."""
    def edit(document):
        document.sections[0].header.paragraphs[0].text = text
    data = _docx(edit)
    header = next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if re.match(r"word/header\d*\.xml", n))
    return _patch(data, {header: lambda s: s.replace("</w:p>", xml, 1)})


def docx_header_revisions() -> bytes:
    revision = ('<w:ins w:id="91" w:author="Clementine Vasquez" w:date="2026-03-01T10:00:00Z"><w:r>'
                '<w:t xml:space="preserve"> and minutes</w:t></w:r></w:ins>'
                '<w:del w:id="92" w:author="Clementine Vasquez" w:date="2026-03-01T10:00:00Z"><w:r>'
                '<w:delText>for Rosalind Featherstone</w:delText></w:r></w:del></w:p>')
    return _header_with("Group notes", revision)


def docx_watermark() -> bytes:
    mark = ('<w:r><w:pict><v:shape id="PowerPlusWaterMarkObject1" type="#_x0000_t136" '
            'style="position:absolute;width:400pt;height:100pt"><v:textpath string="Wendeline Marchetti"/>'
            '</v:shape></w:pict></w:r></w:p>')
    return _header_with("Draft", mark)


def docx_core_properties() -> bytes:
    def edit(document):
        props = document.core_properties
        props.author = "Augustina Pemberton"
        props.title = "Intake for Cornelius Oyelaran"
        props.last_modified_by = "Evangeline Thistlewood"
        props.keywords = "Evangeline Thistlewood"
    return _docx(edit)


def docx_app_properties() -> bytes:
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns='
           '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Word'
           '</Application><Company>Marisol Dunleavy</Company><Manager>Percival Northcote</Manager>'
           '<Pages>1</Pages></Properties>')
    data = _docx()
    if "docProps/app.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist():
        return _patch(data, {"docProps/app.xml": lambda _: app})
    return _with_part(data, "docProps/app.xml", app,
                      "application/vnd.openxmlformats-officedocument.extended-properties+xml",
                      f"{REL_NS}/extended-properties", rels="_rels/.rels", target="docProps/app.xml")


def docx_custom_properties() -> bytes:
    custom = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns='
              '"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt='
              '"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid='
              '"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Client"><vt:lpwstr>Thaddeus Brightwater'
              '</vt:lpwstr></property></Properties>')
    return _with_part(_docx(), "docProps/custom.xml", custom,
                      "application/vnd.openxmlformats-officedocument.custom-properties+xml",
                      f"{REL_NS}/custom-properties", rels="_rels/.rels", target="docProps/custom.xml")


def _png(width: int = 4, height: int = 4) -> bytes:
    """A small orange PNG, written by hand (signature, IHDR, IDAT, IEND)."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + bytes((200, 120, 40)) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def _png_with_text() -> bytes:
    from redact.io.images import png_text_chunk

    png = _png()
    # A text chunk before IEND, as editors write "Author" and "Description".
    return png[:-12] + png_text_chunk("Author", "Lucinda Harrowgate") + png[-12:]


def _jpeg_with_exif() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x013B] = "Lucinda Harrowgate"          # Artist
    exif[0x010E] = "Picnic with Lucinda Harrowgate"   # ImageDescription
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 120, 200)).save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def docx_picture_metadata() -> bytes:
    def edit(document):
        document.add_picture(io.BytesIO(_png_with_text()))
        document.add_picture(io.BytesIO(_jpeg_with_exif()))
    data = _docx(edit)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    png = next(n for n in names if n.endswith(".png"))
    new = "word/media/Lucinda_Harrowgate.png"
    return _patch(data, {"word/_rels/document.xml.rels": lambda s: s.replace(png[len("word/"):], new[len("word/"):])},
                  rename={png: new})


def docx_alt_text() -> bytes:
    def edit(document):
        document.add_picture(io.BytesIO(_png()))
        doc_pr = document.inline_shapes[0]._inline.docPr
        doc_pr.set("descr", "Photo of Seraphina Lindqvist at the picnic")
        doc_pr.set("title", "Seraphina Lindqvist")
        doc_pr.set("name", "Lindqvist portrait")
    return _docx(edit)


def _xml(snippet: str):
    from docx.oxml import parse_xml

    return parse_xml(snippet)


def docx_field_code() -> bytes:
    field_runs = [
        f'<w:r {W_NS}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {W_NS}><w:instrText xml:space="preserve"> HYPERLINK "mailto:ignatius.fairweather@example.org'
        f'?subject=Ignatius%20Fairweather%20follow-up" </w:instrText></w:r>',
        f'<w:r {W_NS}><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {W_NS}><w:t>write to the facilitator</w:t></w:r>',
        f'<w:r {W_NS}><w:fldChar w:fldCharType="end"/></w:r>',
    ]

    def edit(document):
        paragraph = document.add_paragraph("For questions, ")
        for run in field_runs:
            paragraph._p.append(_xml(run))
    return _docx(edit)


def docx_people() -> bytes:
    people = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:people xmlns:w15='
              '"http://schemas.microsoft.com/office/word/2012/wordml"><w15:person w15:author="Octavia Rutherford">'
              '<w15:presenceInfo w15:providerId="AD" w15:userId="octavia.rutherford@example.org"/></w15:person>'
              '</w15:people>')
    return _with_part(_docx(), "word/people.xml", people,
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml",
                      "http://schemas.microsoft.com/office/2011/relationships/people")


def docx_content_control() -> bytes:
    sdt = (f'<w:sdt {W_NS}><w:sdtPr><w:alias w:val="Client Lysander Holloway"/><w:tag w:val="Lysander Holloway"/>'
           '</w:sdtPr><w:sdtContent><w:p><w:r><w:t>Client field</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    bookmark = (f'<w:p {W_NS}><w:bookmarkStart w:id="7" w:name="Cosima_Ferreira_phone"/><w:r><w:t>See above.</w:t>'
                '</w:r><w:bookmarkEnd w:id="7"/></w:p>')

    def edit(document):
        body = document.element.body
        body.insert(0, _xml(sdt))
        body.insert(1, _xml(bookmark))
    return _docx(edit)


def docx_settings_variables() -> bytes:
    variables = '<w:docVars><w:docVar w:name="client" w:val="Barnaby Whitlock"/></w:docVars></w:settings>'
    return _patch(_docx(), {"word/settings.xml": lambda s: s.replace("</w:settings>", variables)})


def docx_undefined_entity() -> bytes:
    return _patch(_docx(), {"word/document.xml": lambda s: s.replace(
        "Weekly group notes.", "Call Anastasia Kowalczyk &hostileundefined; today.")})


def docx_dtd_entity() -> bytes:
    return _patch(_docx(), {"word/document.xml": lambda s: s.replace(
        "?>", '?><!DOCTYPE w:document [<!ENTITY who "Anastasia Kowalczyk">]>', 1).replace(
        "Weekly group notes.", "Call &who; today.")})


def _bomb(data: bytes, name: str) -> bytes:
    # 3 MB of spaces deflate to a few KB: a ratio no real document part has.
    return _patch(data, add={name: b"<a>" + b" " * 3_000_000 + b"Call Anastasia Kowalczyk</a>"})


def docx_bomb() -> bytes:
    return _bomb(_docx(), "word/hostilepadding.xml")


# --- Spreadsheets and tables ---------------------------------------------------------------------

def _xlsx(build: Callable) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_header_names() -> bytes:
    def build(book):
        sheet = book.active
        sheet.title = "Attendance"
        sheet.append(["session", "Philippa Drummond", "Reginald Okafor"])
        for n in range(1, 6):
            sheet.append([n, "present", "absent" if n % 2 else "present"])
    return _xlsx(build)


def xlsx_hidden_parts() -> bytes:
    from openpyxl.comments import Comment
    from openpyxl.workbook.defined_name import DefinedName

    def build(book):
        sheet = book.active
        sheet.title = "Attendance"
        sheet.append(["session", "status"])
        sheet.append([1, "present"])
        sheet["B2"].comment = Comment("Checked with Imogen Farraday", "Winifred Ashdown")
        hidden = book.create_sheet("Marigold Asante")
        hidden.sheet_state = "hidden"
        hidden.append(["detail"])
        hidden.append(["Call Horatio Blackwood at 555-0163 about the rent."])
        book.defined_names.add(DefinedName("Ezekiel_Montgomery", attr_text="Attendance!$A$1"))
        book.properties.creator = "Winifred Ashdown"
        book.properties.title = "Attendance kept by Winifred Ashdown"
    return _xlsx(build)


def xlsx_formula() -> bytes:
    def build(book):
        sheet = book.active
        sheet.append(["session", "contact"])
        sheet.append([1, '=HYPERLINK("mailto:peregrine.ashworth@example.org","Peregrine Ashworth")'])
        sheet.append([2, "=1+1"])
        sheet.append([3, "placeholder"])
        sheet["B4"].value = "=cmd|' /C calc'!A0"
        sheet["B4"].data_type = "s"   # a text cell that a spreadsheet would run once retyped
    return _xlsx(build)


def xlsx_bomb() -> bytes:
    return _bomb(_xlsx(lambda book: book.active.append(["a", "b"])), "xl/hostilepadding.xml")


def csv_header_names() -> bytes:
    rows = ["session,Jocasta Pennington,Alistair Mbeki"] + [f"{n},present,absent" for n in range(1, 6)]
    return ("\n".join(rows) + "\n").encode()


def csv_late_identifier() -> bytes:
    # An unlabelled column whose only identifier sits after row 2,000 and after 30 distinct values.
    moods = ["quiet", "busy", "calm", "late", "early", "short", "long", "good"]
    things = ["meeting", "check-in", "session", "circle", "walk", "lunch", "call", "visit"]
    rows = ["code,detail"] + [f"{n},{moods[n % 8]} {things[n // 8 % 8]}" for n in range(1, 2601)]
    rows[2400] = "2400,Call Fitzgerald Amankwah on 555-0129 about the ride."
    return ("\n".join(rows) + "\n").encode()


def csv_formula() -> bytes:
    rows = ["session,link,amount",
            '1,"=HYPERLINK(""mailto:cordelia.westbrook@example.org"",""Cordelia Westbrook"")",-12.5',
            "2,@SUM(1+1),3.25",
            "3,+cmd|' /C calc'!A0,7.0"]
    return ("\n".join(rows) + "\n").encode()


def jsonl_keys() -> bytes:
    records = [{"session": 1, "Evander Castellano": "present", "score": 2.5,
                "detail": {"by": "Rosamund Achebe", "scores": [1.5, 2], "ok": True}},
               {"session": 2, "Evander Castellano": "absent", "score": 3.75,
                "detail": {"by": "staff", "scores": [], "ok": False}}]
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def parquet_metadata() -> bytes:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.DataFrame({"session": [1, 2, 3], "Sebastian Oyelowo": ["present", "absent", "present"],
                          "minutes": [30.5, 45.0, 12.25]})
    frame.attrs = {"owner": "Genevieve Saltonstall", "phone": "555-0177"}   # pandas stores these too
    written = io.BytesIO()
    frame.to_parquet(written, index=False)
    table = pq.read_table(io.BytesIO(written.getvalue()))
    metadata = dict(table.schema.metadata or {})
    metadata[b"collected_by"] = b"Genevieve Saltonstall"
    fields = [f.with_metadata({b"note": b"Ask Genevieve Saltonstall"}) if f.name == "minutes" else f
              for f in table.schema]
    table = table.cast(pa.schema(fields, metadata=metadata))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


# --- Captions -------------------------------------------------------------------------------------

def vtt_metadata() -> bytes:
    return (b"WEBVTT - Session with Marcellus Vanderhoeven\n"
            b"Kind: captions\n"
            b"Author: Araminta Fairbanks\n\n"
            b"STYLE\n::cue(.Wilhelmsen) { color: yellow }\n\n"
            b"REGION\nid:Beatrix_Okoro width:40% lines:3\n\n"
            b"Tobias-Lindgren-intro\n"
            b"00:00:01.000 --> 00:00:04.000 region:Beatrix_Okoro align:start\n"
            b"<c.Wilhelmsen>Welcome back, everyone.</c>\n\n"
            b"00:00:05.000 --> 00:00:07.000\n"
            b"<v.loud Staff>Let's start.</v>\n")


def srt_tag_attributes() -> bytes:
    return (b"1\n00:00:01,000 --> 00:00:03,000\n"
            b'<font face="Cressida Holmqvist" color="#ff0000">Welcome back.</font>\n\n'
            b"2\n00:00:04,000 --> 00:00:06,000\n"
            b"Thanks, <b>Darnell</b> <i>Washington</i>, for coming.\n")


# --- Characters -----------------------------------------------------------------------------------

def text_hidden_characters() -> bytes:
    lines = ["I met Pri\u200dscilla Thornbury at group.",
             "Then Mag\u00addalena Voskuijlen called.",
             "Rene\u0301e Fontaine said hello.",
             "We talked with \u202eOswin Trevelyan\u202c today.",
             "Note from &#69;leonora Kingsbury on Monday."]
    return ("\n".join(lines) + "\n").encode()


CASES = [
    Case("docx_comments", ".docx", "Word comment text and author", ("Ottoline", "Braithwaite", "Ferdinand",
                                                                    "Quarrington"), build=docx_comments),
    Case("docx_footnotes", ".docx", "Word footnote", ("Wilhelmina", "Castellanos", "555-0187"), build=docx_footnotes),
    Case("docx_endnotes", ".docx", "Word endnote", ("Bartholomew", "Ekwueme"), build=docx_endnotes),
    Case("docx_header_revisions", ".docx", "tracked insertion/deletion and author in a header",
         ("Clementine", "Vasquez", "Rosalind", "Featherstone"), build=docx_header_revisions),
    Case("docx_watermark", ".docx", "VML watermark text in a header", ("Wendeline", "Marchetti"),
         build=docx_watermark),
    Case("docx_core_properties", ".docx", "docProps/core.xml (author, title, last modified by)",
         ("Augustina", "Pemberton", "Cornelius", "Oyelaran", "Evangeline", "Thistlewood"), build=docx_core_properties),
    Case("docx_app_properties", ".docx", "docProps/app.xml (Company, Manager)",
         ("Marisol", "Dunleavy", "Percival", "Northcote"), build=docx_app_properties),
    Case("docx_custom_properties", ".docx", "docProps/custom.xml", ("Thaddeus", "Brightwater"),
         build=docx_custom_properties),
    Case("docx_alt_text", ".docx", "image alt text, title and name", ("Seraphina", "Lindqvist"), build=docx_alt_text),
    Case("docx_picture_metadata", ".docx", "picture EXIF / PNG text metadata and member file name",
         ("Lucinda", "Harrowgate"), build=docx_picture_metadata),
    Case("docx_field_code", ".docx", "field code (HYPERLINK mailto with subject)",
         ("ignatius.fairweather", "Ignatius", "Fairweather"), build=docx_field_code),
    Case("docx_people", ".docx", "people.xml (reviewer names, accounts)", ("Octavia", "Rutherford"),
         build=docx_people),
    Case("docx_content_control", ".docx", "content-control alias and tag, bookmark name",
         ("Lysander", "Holloway", "Cosima", "Ferreira"), build=docx_content_control),
    Case("docx_settings_variables", ".docx", "document variables in settings.xml", ("Barnaby", "Whitlock"),
         build=docx_settings_variables),
    Case("docx_undefined_entity", ".docx", "XML part with an undefined entity", ("Anastasia", "Kowalczyk"),
         "quarantined", docx_undefined_entity),
    Case("docx_dtd_entity", ".docx", "XML part with a DTD entity", ("Anastasia", "Kowalczyk"), "quarantined",
         docx_dtd_entity),
    Case("docx_bomb", ".docx", "decompression bomb member", ("Anastasia", "Kowalczyk"), "quarantined", docx_bomb),
    Case("xlsx_header_names", ".xlsx", "XLSX column headers that are names", ("Philippa", "Drummond", "Reginald",
                                                                             "Okafor"), build=xlsx_header_names),
    Case("xlsx_hidden_parts", ".xlsx", "XLSX hidden sheet and its name, comment, defined name, properties",
         ("Imogen", "Farraday", "Winifred", "Ashdown", "Marigold", "Asante", "Horatio", "Blackwood", "555-0163",
          "Ezekiel", "Montgomery"), build=xlsx_hidden_parts),
    Case("xlsx_formula", ".xlsx", "name inside an XLSX formula", ("peregrine.ashworth", "Peregrine", "Ashworth"),
         build=xlsx_formula),
    Case("xlsx_bomb", ".xlsx", "XLSX decompression bomb", ("Anastasia", "Kowalczyk"), "quarantined", xlsx_bomb),
    Case("csv_header_names", ".csv", "CSV column headers that are names", ("Jocasta", "Pennington", "Alistair",
                                                                          "Mbeki"), build=csv_header_names),
    Case("csv_late_identifier", ".csv", "unlabelled column, identifier after row 2,000",
         ("Fitzgerald", "Amankwah", "555-0129"), build=csv_late_identifier),
    Case("csv_formula", ".csv", "name inside a CSV formula; formula payloads",
         ("cordelia.westbrook", "Cordelia", "Westbrook"), build=csv_formula),
    Case("jsonl_keys", ".jsonl", "JSONL keys and nested values", ("Evander", "Castellano", "Rosamund", "Achebe"),
         build=jsonl_keys),
    Case("parquet_metadata", ".parquet", "Parquet column name, pandas attrs, schema and field metadata",
         ("Sebastian", "Oyelowo", "Genevieve", "Saltonstall", "555-0177"), build=parquet_metadata),
    Case("vtt_metadata", ".vtt", "WEBVTT header, metadata, cue id, STYLE, REGION, class, cue settings",
         ("Marcellus", "Vanderhoeven", "Araminta", "Fairbanks", "Wilhelmsen", "Beatrix", "Okoro", "Tobias",
          "Lindgren"), build=vtt_metadata),
    Case("srt_tag_attributes", ".srt", "SRT <font face=...> attribute", ("Cressida", "Holmqvist", "Darnell",
                                                                         "Washington"), build=srt_tag_attributes),
    Case("text_hidden_characters", ".txt", "ZWJ, soft hyphen, NFD, bidi override, HTML entity in a name",
         ("Priscilla", "Thornbury", "Magdalena", "Voskuijlen", "Renée", "Fontaine", "Oswin", "Trevelyan",
          "Eleonora", "Kingsbury"), build=text_hidden_characters),
]

# Names in file names, in other scripts (the output path comes from io/paths.py).
FILE_NAME_CASES = {
    "Приска_Торнбери_notes.txt": ("Приска", "Торнбери"),
    "ｍａｒｉｓｏｌ_ｄｕｎｌｅａｖｙ_intake.txt": ("marisol", "dunleavy"),
    "プリシラ・ソーンベリー.txt": ("プリシラ", "ソーンベリー"),
}


def build(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        (folder / case.filename).write_bytes(case.build())
    return CASES


def build_file_names(folder: Path) -> dict[str, tuple[str, ...]]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILE_NAME_CASES:
        (folder / name).write_text("Group met on Monday. Everyone was on time.\n", encoding="utf-8")
    return FILE_NAME_CASES


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-files")
    for case in build(target):
        print(f"{case.filename}: {case.place}")
    build_file_names(target / "file_names")


# --- Scanning outputs ------------------------------------------------------------------------------

def readable_texts(path: Path) -> list[str]:
    """Everything in a file a person could read: its bytes as text, every zip member
    decompressed, a Parquet file's schema, metadata and values."""
    data = path.read_bytes()
    texts = [data.decode("utf-8", "replace"), data.decode("utf-16", "replace") if data[:2] in
             (b"\xff\xfe", b"\xfe\xff") else ""]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                texts.append(info.filename)
                texts.append(archive.read(info).decode("utf-8", "replace"))
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        texts.append(" ".join(table.schema.names))
        texts.append(repr(table.schema.metadata))
        texts.extend(repr(f.metadata) for f in table.schema)
        texts.extend(str(v) for column in table.columns for v in column.to_pylist())
    return texts


def leaked(texts: list[str], planted: tuple[str, ...]) -> list[str]:
    """The planted values found in any of the texts (compared on the normalised view, any case)."""
    from redact.normalize import normal_text

    blob = "\n".join(normal_text(t).casefold() for t in texts)
    return [p for p in planted if normal_text(p).casefold() in blob]
