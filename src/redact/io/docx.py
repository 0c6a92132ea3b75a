"""Word documents (.docx): every part of the package, read and rewritten as XML with lxml.

Rules, part by part (README, "Privacy guarantees and limits", lists them too):
- Story parts (body, every header and footer, footnotes, endnotes, comments, the glossary of
  building blocks): every paragraph, in tables and text boxes too, is a segment detected like a
  note. A changed paragraph gets its new text in its first text run (run formatting inside that
  paragraph is simplified); drawings stay where they were.
- Tracked changes are accepted: insertions and moves kept as plain text, deletions and moved-from
  text removed, formatting changes removed, so no revision or its author is left.
- Comments keep their (redacted) text; their author becomes "Reviewer" and initials and dates go.
  `people.xml` (the reviewers' names and accounts) is emptied. Every author, initials, date and
  user id attribute left anywhere is neutralised.
- Field codes (HYPERLINK "mailto:...", MERGEFIELD, ...) are removed; the field's displayed result
  stays as text and is detected with its paragraph. Hyperlinks become plain text and every
  external relationship target (link, template path) becomes "#".
- Image and shape alt text and titles (descr, title, alt) are detected like text; drawing names
  become "Picture N". Content-control alias, tag and data binding, bookmarks' names, editing
  permissions (their editors), smart-tag and custom-XML properties, document variables and mail
  merge settings are removed or neutralised.
- docProps/core.xml is emptied; docProps/app.xml keeps only counts (no Company, Manager, titles
  of parts, template or hyperlink base); docProps/custom.xml loses every property; custom XML data
  items lose their content; the thumbnail (a picture of page one) and printer settings are dropped.
- Pictures keep their pixels but lose their metadata (EXIF, XMP, IPTC, comments, PNG text
  chunks), and every member that is not XML (pictures, fonts) gets a neutral name ("partN.png").
- Any other XML part (charts, SmartArt data, styles, settings): each text node is detected.
- Embedded objects, ActiveX, macros and alternative-format chunks cannot be checked: the
  document is quarantined. So is a part with a DTD or an undefined entity, malformed XML, or a
  zip whose sizes announce a decompression bomb: never written half-clean or broken.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redact.errors import InputError
from redact.io.archive import open_checked, parse_xml, read_member
from redact.io.images import strip_metadata

KIND = "DOCX document"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_NS = "http://www.w3.org/XML/1998/namespace"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


STORY = re.compile(r"^word/(?:glossary/)?(?:document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$")
CUSTOM_DATA = re.compile(r"^customXml/item\d+\.xml$")
# Members that hold no text we can check: the document is quarantined rather than written.
UNCHECKABLE = re.compile(r"(?:^|/)(?:embeddings|activeX)/|vbaProject|"
                         r"\.(?:bin|mht|mhtml|htm|html|rtf|docx?|xlsx?|pptx?)$", re.IGNORECASE)
REVIEWER = "Reviewer"
# Tracked-change elements removed with their content (deleted text, old formatting, move ranges).
REMOVE_REVISIONS = ("del", "moveFrom", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange",
                    "tblPrExChange", "tblGridChange", "trPrChange", "tcPrChange", "numberingChange",
                    "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
                    "customXmlDelRangeStart", "customXmlDelRangeEnd", "customXmlInsRangeStart",
                    "customXmlInsRangeEnd", "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd",
                    "customXmlMoveToRangeStart", "customXmlMoveToRangeEnd", "cellDel", "cellIns", "cellMerge",
                    # field codes and their data, editing permissions (name editors), properties
                    "instrText", "delInstrText", "fldData", "permStart", "permEnd", "smartTagPr", "customXmlPr",
                    "alias", "tag", "dataBinding", "docVars", "mailMerge", "attachedTemplate", "printerSettings")
# Containers unwrapped (their content kept): accepted insertions, links, simple fields, smart tags.
UNWRAP = ("ins", "moveTo", "hyperlink", "fldSimple", "smartTag", "customXml")
# Attributes that name or date a person, wherever they occur.
PERSON_ATTRS = {"author": REVIEWER, "initials": None, "date": None, "dateUtc": None, "userId": None,
                "providerId": None, "ed": None, "edGrp": None}
ALT_ATTRS = ("descr", "title", "alt", "string")   # string: a VML watermark's text
APP_KEEP = {"Application", "AppVersion", "DocSecurity", "Pages", "Words", "Characters", "Lines", "Paragraphs",
            "CharactersWithSpaces", "ScaleCrop", "LinksUpToDate", "SharedDoc", "HyperlinksChanged", "TotalTime"}
THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
TEXT_TAGS = (w("t"), w("tab"), w("br"), w("cr"), w("noBreakHyphen"), w("sym"), f"{{{M}}}t")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strip_revisions(root) -> None:
    """Accept tracked changes, flatten fields, drop what names an author or editor."""
    remove = {w(t) for t in REMOVE_REVISIONS} | {"{http://schemas.microsoft.com/office/word/2012/wordml}dataBinding"}
    for el in list(root.iter(*remove)):
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    for el in list(root.iter(w("fldChar"))):
        el.getparent().remove(el)
    for el in list(root.iter(*(w(t) for t in UNWRAP))):
        _unwrap(el)
    for el in root.iter(w("bookmarkStart")):
        if el.get(w("name")) is not None:
            el.set(w("name"), f"_bm{el.get(w('id'), '0')}")
    for el in root.iter(w("comment")):
        el.set(w("author"), REVIEWER)


def _unwrap(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    children = [c for c in el if _local(c.tag) not in {"rPr", "hyperlinkPr"}]
    if el.tail:
        if children:
            children[-1].tail = (children[-1].tail or "") + el.tail
        elif index > 0:
            parent[index - 1].tail = (parent[index - 1].tail or "") + el.tail
    parent.remove(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)


def _scrub_people(root) -> None:
    for el in root.iter():
        for name in list(el.attrib):
            local = _local(name)
            if local in PERSON_ATTRS:
                value = PERSON_ATTRS[local]
                if value is None:
                    del el.attrib[name]
                else:
                    el.set(name, value)


def _owner(el):
    return next(el.iterancestors(w("p")), None)


def _text_elements(p) -> list:
    out = []
    for el in p.iter(*TEXT_TAGS):
        if el.tag in (w("tab"), w("br"), w("cr"), w("sym"), w("noBreakHyphen")) and el.getparent().tag != w("r"):
            continue   # tab stops and the like in properties, not text
        if _owner(el) is p:
            out.append(el)
    return out


def _text_of(elements) -> str:
    out = []
    for el in elements:
        tag = el.tag
        if tag in (w("t"), f"{{{M}}}t"):
            out.append(el.text or "")
        elif tag == w("tab"):
            out.append("\t")
        elif tag in (w("br"), w("cr")):
            out.append("\n")
        elif tag == w("noBreakHyphen"):
            out.append("-")
    return "".join(out)


def _set_paragraph_text(p, elements, text: str) -> None:
    """The paragraph's own text replaced by `text`, in the run of its first text element."""
    from lxml import etree

    host = next((el.getparent() for el in elements if el.getparent().tag == w("r")), None)
    if host is None:
        host = etree.SubElement(p, w("r"))
        index = len(host)
    else:
        first = next(el for el in elements if el.getparent() is host)
        index = host.index(first)
    for el in elements:
        el.getparent().remove(el)
    pieces: list = []
    for part in re.split(r"(\t|\n)", text):
        if part == "\t":
            pieces.append(etree.Element(w("tab")))
        elif part == "\n":
            pieces.append(etree.Element(w("br")))
        elif part:
            t = etree.Element(w("t"))
            t.text = part
            t.set(f"{{{XML_NS}}}space", "preserve")
            pieces.append(t)
    for offset, piece in enumerate(pieces):
        host.insert(index + offset, piece)


@dataclass
class ParsedDocx:
    members: list                      # ZipInfo in archive order
    parts: dict                        # name -> lxml root (every XML part, rewritten)
    dropped: set
    binaries: dict                     # name -> bytes of other members (pictures without metadata)
    renamed: dict                      # member name -> neutral name
    setters: list[Callable[[str], None]]
    segments: Sequence[str]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    def render(self, redacted: Sequence[str]) -> bytes:
        import io

        from lxml import etree

        for setter, before, after in zip(self.setters, self.segments, redacted):
            if after != before:
                setter(after)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for info in self.members:
                if info.filename in self.dropped or info.is_dir():
                    continue
                if info.filename in self.parts:
                    data = etree.tostring(self.parts[info.filename], xml_declaration=True, encoding="UTF-8",
                                          standalone=True)
                else:
                    data = self.binaries[info.filename]
                name = self.renamed.get(info.filename, info.filename)
                out.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()


def _attr_setter(el, name: str) -> Callable[[str], None]:
    return lambda value: el.set(name, value)


def _text_setter(el) -> Callable[[str], None]:
    def put(value: str) -> None:
        el.text = value
    return put


def _paragraph_setter(p, elements) -> Callable[[str], None]:
    return lambda value: _set_paragraph_text(p, elements, value)


def _story(root, segments: list[str], setters: list) -> None:
    _strip_revisions(root)
    for el in [el for el in root.iter() if _local(el.tag) in {"hlinkClick", "hlinkHover"}]:
        el.getparent().remove(el)   # a picture's link target
    for n, el in enumerate(root.iter(), 1):
        if _local(el.tag) in {"docPr", "cNvPr"} and el.get("name") is not None:
            el.set("name", f"Picture {n}")
        for name in list(el.attrib):
            if _local(name) in ALT_ATTRS and el.attrib[name].strip():
                segments.append(el.attrib[name])
                setters.append(_attr_setter(el, name))
    for p in list(root.iter(w("p"))):
        elements = _text_elements(p)
        text = _text_of(elements)
        if text.strip():
            segments.append(text)
            setters.append(_paragraph_setter(p, elements))


def _text_nodes(root, segments: list[str], setters: list) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and el.text and el.text.strip():
            segments.append(el.text)
            setters.append(_text_setter(el))


def _empty(root) -> None:
    for child in list(root):
        root.remove(child)
    root.text = None


def _app_properties(root) -> None:
    for child in list(root):
        if _local(child.tag) not in APP_KEEP:
            root.remove(child)


def _target(base: str, target: str) -> str:
    """The member a relationship target points to."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, target))


def _relationships(root, dropped: set, renamed: dict, name: str) -> None:
    base = posixpath.dirname(posixpath.dirname(name))   # "word/_rels/x.rels" -> "word"
    for rel in list(root.iter(f"{{{REL}}}Relationship")):
        target = rel.get("Target", "")
        if rel.get("Type") == THUMBNAIL:
            dropped.add(_target(base, target))
            root.remove(rel)
        elif rel.get("TargetMode") != "External" and _target(base, target) in dropped:
            root.remove(rel)
        elif rel.get("TargetMode") == "External":
            rel.set("Target", "#")
        elif _target(base, target) in renamed:
            new = renamed[_target(base, target)]
            rel.set("Target", "/" + new if target.startswith("/") else posixpath.relpath(new, base or "."))


# The neutral names below, as text: `redact verify` masks them as the run's own replacements.
NEUTRAL_NAME = re.compile(r"\bpart\d+\.[0-9A-Za-z]{1,5}\b")


def _neutral_names(names: list[str]) -> dict[str, str]:
    """A neutral name for every member that is not XML (pictures, fonts): a file name such as
    "word/media/jsmith_at_the_picnic.jpg" is written as "word/media/part3.jpg"."""
    renamed = {}
    for n, name in enumerate(names, 1):
        if name.endswith((".xml", ".rels")) or name.endswith("/"):
            continue
        folder, _, base = name.rpartition("/")
        ext = base.rpartition(".")[2] if "." in base else ""
        ext = f".{ext}" if ext.isalnum() and len(ext) <= 5 else ""
        renamed[name] = f"{folder}/part{n}{ext}" if folder else f"part{n}{ext}"
    return renamed


def _content_types(root, renamed: dict) -> None:
    for override in root:
        part = override.get("PartName", "").lstrip("/")
        if part in renamed:
            override.set("PartName", "/" + renamed[part])


@dataclass(frozen=True)
class DocxFormat:
    name: str = "docx"
    suffixes: tuple[str, ...] = (".docx",)

    def parse(self, data: bytes, path: Path, fallback_encoding: str | None = None) -> ParsedDocx:
        archive = open_checked(data, KIND)
        members = archive.infolist()
        names = {i.filename for i in members}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise InputError(f"corrupt or unreadable {KIND} (no word/document.xml)")
        printer = {n for n in names if "/printerSettings/" in n}   # printer set-up (its name): dropped
        if any(UNCHECKABLE.search(n) for n in names - printer):
            raise InputError(f"unsupported {KIND}: embedded objects, macros or alternative-format parts "
                             "cannot be checked")
        parts, dropped, binaries = {}, set(printer), {}
        renamed = _neutral_names([i.filename for i in members])
        segments: list[str] = []
        setters: list[Callable[[str], None]] = []
        rels = []
        for info in members:
            name = info.filename
            if not (name.endswith(".xml") or name.endswith(".rels")):
                if not info.is_dir():
                    binaries[name] = strip_metadata(name, read_member(archive, info, KIND))
                continue
            root = parse_xml(read_member(archive, info, KIND), KIND)
            parts[name] = root
            _scrub_people(root)
            if name.endswith(".rels"):
                rels.append((name, root))
            elif STORY.match(name):
                _story(root, segments, setters)
            elif name in {"docProps/core.xml", "docProps/custom.xml", "word/people.xml"} or CUSTOM_DATA.match(name):
                _empty(root)
            elif name == "docProps/app.xml":
                _app_properties(root)
            elif name == "[Content_Types].xml" or name.startswith("customXml/itemProps"):
                continue
            else:
                _strip_revisions(root)   # settings (document variables, mail merge), styles, charts
                _text_nodes(root, segments, setters)
        for name, root in rels:
            _relationships(root, dropped, renamed, name)
        _content_types(parts["[Content_Types].xml"], renamed)
        archive.close()   # every member is read: the output is built from `parts` and `binaries`
        return ParsedDocx(members, parts, dropped, binaries, renamed, setters, segments)


FORMAT = DocxFormat()
