"""Word documents (.docx, python-docx): every paragraph, in the body, tables (nested too), text
boxes, headers and footers, is a segment.

A paragraph whose text changes gets the redacted text in one run with the first run's formatting
(run-level formatting inside the paragraph is simplified). Hyperlinks are removed with their
targets (a target can be a mailto: address), tracked deletions are dropped, and the document's
author and title properties are cleared: all of them can carry identifiers.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from redact.errors import InputError

_CORE_TEXT = ("author", "last_modified_by", "title", "subject", "keywords", "comments", "category",
              "identifier", "content_status")


def _paragraph_elements(document) -> Iterator:
    """Each w:p once: body (tables and text boxes included), then every header and footer."""
    from docx.oxml.ns import qn

    seen: set[int] = set()
    roots = [document.element.body]
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    for root in roots:
        for p in root.iter(qn("w:p")):
            if id(p) not in seen:
                seen.add(id(p))
                yield p


def _own(p, *tags: str) -> list:
    """Descendants of paragraph p with these tags that are not inside a nested paragraph (text box)."""
    from docx.oxml.ns import qn

    return [el for el in p.iter(*tags) if next(el.iterancestors(qn("w:p")), None) is p]


def _full_text(p) -> str:
    """All visible text of a paragraph, including what python-docx's Paragraph.text skips
    (tracked insertions, content controls, smart tags, simple fields)."""
    from docx.oxml.ns import qn

    out = []
    for el in _own(p, qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        if el.tag == qn("w:t"):
            out.append(el.text or "")
        else:
            out.append("\t" if el.tag == qn("w:tab") else "\n")
    return "".join(out)


@dataclass
class ParsedDocx:
    document: object
    paragraphs: list
    segments: Sequence[str]
    encoding: str | None = None

    def render(self, redacted: Sequence[str]) -> bytes:
        from docx.oxml.ns import qn
        from docx.text.paragraph import Paragraph

        for p, before, after in zip(self.paragraphs, self.segments, redacted):
            links = p.findall(qn("w:hyperlink"))
            if after == before and not links:
                continue
            if p.find(f".//{qn('w:p')}") is not None:
                _set_own_text(p, after)   # keeps the text box nested in one of its runs
                continue
            paragraph = Paragraph(p, None)
            first = p.find(f".//{qn('w:r')}/{qn('w:rPr')}")
            style = copy.deepcopy(first) if first is not None else None
            rel_ids = [h.get(qn("r:id")) for h in links if h.get(qn("r:id"))]
            paragraph.text = after   # one run; "\t" and "\n" become w:tab and w:br again
            if style is not None and paragraph.runs:
                paragraph.runs[0]._r.insert(0, style)
            part = self.document.part
            for rel_id in rel_ids:
                if rel_id in part.rels:
                    part.drop_rel(rel_id)
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _set_own_text(p, text: str) -> None:
    from docx.oxml.ns import qn

    texts = _own(p, qn("w:t"))
    for i, el in enumerate(texts):
        el.text = " ".join(text.split()) if i == 0 else ""


@dataclass(frozen=True)
class DocxFormat:
    name: str = "docx"
    suffixes: tuple[str, ...] = (".docx",)

    def parse(self, data: bytes, path: Path, fallback_encoding: str | None = None) -> ParsedDocx:
        import docx
        from docx.oxml.ns import qn

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception:   # zip, lxml and python-docx errors alike; their messages may quote content
            raise InputError("corrupt or unreadable DOCX document") from None
        for deleted in list(document.element.body.iter(qn("w:del"))):
            deleted.getparent().remove(deleted)   # tracked deletions still hold the deleted text
        props = document.core_properties
        for name in _CORE_TEXT:
            setattr(props, name, "")
        paragraphs = list(_paragraph_elements(document))
        return ParsedDocx(document, paragraphs, [_full_text(p) for p in paragraphs])


FORMAT = DocxFormat()
