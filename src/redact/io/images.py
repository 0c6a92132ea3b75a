"""Metadata out of pictures embedded in office files, without re-encoding them.

Cameras and editors write the author, a caption, GPS position and dates into JPEG APP segments
(EXIF, XMP, IPTC), comments, and PNG text chunks. Those segments and chunks are dropped byte for
byte; pixel data is untouched. A picture that cannot be walked safely is an InputError (the
document is quarantined rather than written with metadata we could not check).
"""

from __future__ import annotations

import re
import struct
import zlib

from redact.errors import InputError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG chunks that carry free text or EXIF (tEXt, zTXt, iTXt, eXIf) or a time (tIME).
PNG_TEXT_CHUNKS = frozenset({b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"})
# JPEG segments dropped: APP1 (EXIF, XMP), APP3..APP13 (IPTC in APP13, vendor data), APP15 and
# comments. Kept: APP0 (JFIF), APP2 (the ICC colour profile) and APP14 (Adobe colour transform).
JPEG_METADATA = frozenset({0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE})
JPEG_SOS = 0xDA


def _png(data: bytes) -> tuple[list[bytes], list[bytes]]:
    """(chunks kept, metadata chunks) of a PNG."""
    if not data.startswith(PNG_SIGNATURE):
        raise InputError("unreadable picture in the document (not a PNG)")
    out, meta = [PNG_SIGNATURE], []
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        if pos + 12 > len(data):
            raise InputError("unreadable picture in the document (truncated PNG)")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise InputError("unreadable picture in the document (truncated PNG)")
        (meta if kind in PNG_TEXT_CHUNKS else out).append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    return out, meta


def _jpeg(data: bytes) -> tuple[list[bytes], list[bytes]]:
    """(segments kept, metadata segments) of a JPEG."""
    if not data.startswith(b"\xff\xd8"):
        raise InputError("unreadable picture in the document (not a JPEG)")
    out, meta = [data[:2]], []
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            raise InputError("unreadable picture in the document (malformed JPEG)")
        marker = data[pos + 1] if pos + 1 < len(data) else None
        if marker is None:
            raise InputError("unreadable picture in the document (truncated JPEG)")
        if marker == 0xFF:   # fill byte
            pos += 1
            continue
        if marker == JPEG_SOS or marker == 0xD9:   # image data follows to the end: copied as is
            out.append(data[pos:])
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(data[pos:pos + 2])
            pos += 2
            continue
        if pos + 4 > len(data):
            raise InputError("unreadable picture in the document (truncated JPEG)")
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise InputError("unreadable picture in the document (truncated JPEG)")
        (meta if marker in JPEG_METADATA else out).append(data[pos:end])
        pos = end
    return out, meta


def _walker(name: str):
    lower = name.lower()
    if lower.endswith(".png"):
        return _png
    if lower.endswith((".jpg", ".jpeg", ".jpe", ".jfif")):
        return _jpeg
    return None


def strip_metadata(name: str, data: bytes) -> bytes:
    """The picture without metadata, for the formats that carry it; others as they are."""
    walk = _walker(name)
    return b"".join(walk(data)[0]) if walk else data


def metadata_texts(name: str, data: bytes) -> list[str]:
    """Readable strings (ASCII, UTF-8, UTF-16) in a picture's metadata, for `redact verify`."""
    walk = _walker(name)
    if walk is None:
        return []
    out = []
    for segment in walk(data)[1]:
        if segment[4:8] == b"zTXt":
            try:
                segment += zlib.decompress(segment[segment.index(b"\x00", 8) + 2:-4], bufsize=1 << 16)
            except (ValueError, zlib.error):
                pass
        out += [m.decode("ascii") for m in re.findall(rb"[\x20-\x7e]{4,}", segment)]
        out += [m.decode("utf-16-le") for m in re.findall(rb"(?:[\x20-\x7e]\x00){4,}", segment)]
    return out


def png_text_chunk(key: str, text: str) -> bytes:
    """A PNG tEXt chunk (for building test pictures)."""
    body = key.encode("latin-1") + b"\x00" + text.encode("latin-1")
    return struct.pack(">I4s", len(body), b"tEXt") + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
