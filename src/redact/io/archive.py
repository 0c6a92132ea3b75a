"""Zip containers (DOCX, XLSX): refuse decompression bombs before any member is parsed, and
parse XML parts without ever resolving an entity or loading a DTD.

A member whose declared size, the sum of all declared sizes, or whose compression ratio is out
of proportion is refused from the zip directory alone; reads are capped at the declared size, so
a directory that lies about sizes cannot make a member grow past it either.
"""

from __future__ import annotations

import io
import zipfile

from redact.errors import InputError

# Generous for real office files (a 300-page report is a few MB of XML), far below what hurts.
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_MEMBERS = 10_000
# Text XML compresses about 10:1; 100:1 over a megabyte is a crafted file, not a document.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024


def open_checked(data: bytes | str, kind: str) -> zipfile.ZipFile:
    """The zip archive in `data` (bytes or a path), refused with a one-line reason when it is not
    a zip or when its directory announces a decompression bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(f"corrupt or unreadable {kind} (not a zip archive)") from None
    check_bomb(archive, kind)
    return archive


def check_bomb(archive: zipfile.ZipFile, kind: str) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"refused {kind}: {len(infos)} archive members (limit {MAX_MEMBERS})")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > MAX_MEMBER_BYTES:
            raise InputError(f"refused {kind}: a member expands to {size} bytes (possible decompression bomb)")
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(f"refused {kind}: a member's compression ratio is over {MAX_RATIO}:1 "
                             "(possible decompression bomb)")
    if total > MAX_TOTAL_BYTES:
        raise InputError(f"refused {kind}: members expand to {total} bytes in all (possible decompression bomb)")


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: str) -> bytes:
    """A member's bytes, never more than its declared size."""
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        raise InputError(f"corrupt or unreadable {kind} (a damaged archive member)") from None
    if len(data) > info.file_size:
        raise InputError(f"refused {kind}: a member is larger than its declared size")
    return data


def xml_parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=False)


def parse_xml(data: bytes, kind: str):
    """An XML part as an lxml element. A DTD (entity declarations), an undefined entity or any
    malformed XML is an InputError: such a part cannot be rewritten safely."""
    from lxml import etree

    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise InputError(f"refused {kind}: an XML part declares a DTD or entities")
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError:
        raise InputError(f"corrupt or unreadable {kind} (an XML part is not well-formed, "
                         "e.g. an undefined entity)") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise InputError(f"refused {kind}: an XML part declares a DTD or entities")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise InputError(f"refused {kind}: an XML part holds an unresolved entity")
    return root
