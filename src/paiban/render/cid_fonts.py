"""One Type 0 (CID-keyed) font per face: two-byte glyph codes instead of 256-glyph subsets.

reportlab embeds a TrueType font as simple fonts of at most 256 glyphs each. Chinese text uses
thousands of distinct characters, so consecutive characters of a line fall into different
subsets: on the 100,000-character benchmark a 15-character line switched fonts 6.5 times on
average (44,701 ``Tf`` operators for 6,900 lines), and every subset embedded a font program of
its own. Here each face the document draws becomes one font (PDF 1.7 §9.7):

* ``/Type0`` with ``/Encoding /Identity-H``: a two-byte code per glyph, the CID, which is the
  character's code point (characters beyond U+FFFF get the codes U+D800–U+DFFF; see
  `paiban.render.text_operators.CodeSpace`), so every character has a CID of its own and
  ``ToUnicode`` is exact even where two characters share a glyph;
* its ``/CIDFontType2`` descendant: ``/CIDToGIDMap`` is a stream mapping each CID to its glyph
  in the embedded font program, ``/DW 1000`` and ``/W`` for the advances that are not one em,
  from the same metrics composition used;
* the font program: a converted CFF face is already a subset for this document's characters and
  is embedded as it is; other faces go through reportlab's TrueType subsetter (``makeSubset``,
  any number of glyphs), glyph 0 first and then the characters' glyphs in code order. Each
  program is compressed once: kept per process, and on disk in the font cache (``programs/``, a
  binary entry of `paiban.fonts.disk_cache` keyed by the font file's path, size, mtime and
  inode, the characters and the code identity, sealed with its SHA-256: a damaged entry is
  compressed again and rewritten);
* ``/ToUnicode`` maps every CID to its character in UTF-16BE (surrogate pairs beyond U+FFFF).
"""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfdoc

from paiban.fonts.disk_cache import file_stamp, read_binary_entry, write_binary_entry
from paiban.fonts.reportlab_fonts import utf16_hex
from paiban.render.text_operators import Advance, CodeSpace, resource_name

#: bfchar entries per block (PDF 1.7 §9.10.3: at most 100)
_BFCHAR_BLOCK = 100
#: TrueType collections: never embedded whole
_COLLECTION_TAG = b"ttcf"
#: (file, face, size, code points or None for the whole file) → (compressed program, length, tag)
_programs: dict[tuple, tuple[bytes, int, str]] = {}
#: programs kept per process at most (a render worker renders an edition's pages with the same few)
MEMO_PROGRAMS = 32
#: font cache folders whose files are named by the hash of their content (see `program_stamp`)
CONTENT_ADDRESSED = ("converted", "whole")
_HEX_NAME = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class FontParts:
    """What a face's font objects hold for one set of characters, computed once per process: an
    edition's page PDFs all embed the same fonts for the edition's characters (~3,500 of them
    on the benchmark), so its render workers would otherwise build the same arrays and
    compress the same maps for every page (~5 ms a PDF)."""

    code_points: tuple[int, ...]
    whole_file: bool  # the file is already a subset for these characters: embedded as it is
    widths: bytes  # the /W array, formatted
    cid_to_gid: bytes  # compressed
    to_unicode: bytes  # compressed


#: (face key, reportlab font name, font file, characters, code space) → FontParts; cleared when full
_parts: dict[tuple, FontParts] = {}


class CidFont:
    """One face as a Type 0 font, added to a reportlab document at the end of a render."""

    def __init__(self, face_key: str, font, chars: list[str], space: CodeSpace, advance: Advance):
        """``font`` is the registered reportlab ``TTFont`` of the face; ``chars`` the characters
        it draws in this document."""
        self.font = font
        self.resource = resource_name(face_key)
        # the font's name and file stand for its metrics (`advance` reads the same file's)
        key = (face_key, font.fontName, font.face.filename, "\0".join(chars), space.astral)
        parts = _parts.get(key)
        if parts is None:
            if len(_parts) >= MEMO_PROGRAMS:
                _parts.clear()
            parts = _parts[key] = font_parts(face_key, font.face, chars, space, advance)
        self.parts = parts

    def add_to(self, doc) -> None:
        """Add the font's objects to reportlab's document and its font resources."""
        face = self.font.face
        parts = self.parts
        program, tag = _font_program(face, list(parts.code_points), parts.whole_file)
        base = f"{tag}+{face.name.decode('latin-1')}"
        descriptor = pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor",
            "FontName": pdfdoc.PDFName(base),
            "Flags": (face.flags & ~(1 << 5)) | (1 << 2),  # symbolic, not non-symbolic
            "FontBBox": pdfdoc.PDFArray(face.bbox),
            "ItalicAngle": face.italicAngle,
            "Ascent": face.ascent,
            "Descent": face.descent,
            "CapHeight": face.capHeight,
            "StemV": face.stemV,
            "FontFile2": doc.Reference(program, f"cidFontFile:{base}"),
        })
        descendant = pdfdoc.PDFDictionary({
            "Type": "/Font",
            "Subtype": "/CIDFontType2",
            "BaseFont": pdfdoc.PDFName(base),
            "CIDSystemInfo": pdfdoc.PDFDictionary({"Registry": "(Adobe)", "Ordering": "(Identity)",
                                                   "Supplement": 0}),
            "FontDescriptor": doc.Reference(descriptor, f"cidFontDescriptor:{base}"),
            "DW": 1000,
            "W": parts.widths,
            "CIDToGIDMap": doc.Reference(_flate_stream(parts.cid_to_gid), f"cidToGid:{base}"),
        })
        type0 = pdfdoc.PDFDictionary({
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": pdfdoc.PDFName(base),
            "Encoding": "/Identity-H",
            "DescendantFonts": pdfdoc.PDFArray([doc.Reference(descendant, f"cidFont:{base}")]),
            "ToUnicode": doc.Reference(_flate_stream(parts.to_unicode), f"cidToUnicode:{base}"),
        })
        name = self.resource[1:]
        doc.idToObject["BasicFonts"].dict[name] = doc.Reference(type0, name)


def font_parts(face_key: str, ttf, chars: list[str], space: CodeSpace, advance: Advance) -> FontParts:
    """The `FontParts` of the reportlab TrueType face `ttf` for `chars`."""
    to_glyph = ttf.charToGlyph
    drawn = sorted({c for c in chars if ord(c) in to_glyph}, key=space.cid)
    cids = [space.cid(c) for c in drawn]
    code_points = [ord(c) for c in drawn]
    widths = [advance(face_key, c) * 1000 for c in drawn]
    whole_file = _is_small_subset(ttf, len(drawn))
    if whole_file:
        gids = [to_glyph[cp] for cp in code_points]
    else:
        old_to_new = {0: 0}
        gids = []
        for cp in code_points:  # makeSubset numbers new glyphs in this order
            old_to_new.setdefault(to_glyph[cp], len(old_to_new))
            gids.append(old_to_new[to_glyph[cp]])
    # formatted here once: reportlab copies bytes into the file as they are
    widths_pdf = pdfdoc.format(pdfdoc.PDFArray(width_array(cids, widths)), None)
    return FontParts(tuple(code_points), whole_file, widths_pdf,
                     zlib.compress(cid_to_gid_map(cids, gids)),
                     zlib.compress(to_unicode_cmap(cids, code_points).encode("ascii")))


def width_array(cids: list[int], widths: list[float]) -> list:
    """``/W`` entries ``c [w1 w2 …]`` for the CIDs whose advance is not the default 1000."""
    out: list = []
    run: list[float] = []
    start = prev = -2
    for cid, w in zip(cids, widths):
        w = round(w, 3)
        if w == 1000:
            continue
        if cid != prev + 1 and run:
            out += [start, pdfdoc.PDFArray(run)]
            run = []
        if not run:
            start = cid
        run.append(int(w) if w == int(w) else w)
        prev = cid
    if run:
        out += [start, pdfdoc.PDFArray(run)]
    return out


def cid_to_gid_map(cids: list[int], gids: list[int]) -> bytes:
    """Two bytes per CID from 0 to the largest, the glyph of each (0: none)."""
    table = bytearray(2 * (max(cids) + 1 if cids else 1))
    for cid, gid in zip(cids, gids):
        table[2 * cid:2 * cid + 2] = gid.to_bytes(2, "big")
    return bytes(table)


def to_unicode_cmap(cids: list[int], code_points: list[int]) -> str:
    """A ToUnicode CMap: each two-byte CID → its character (UTF-16BE)."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    entries = [f"<{cid:04X}> <{utf16_hex(cp)}>" for cid, cp in zip(cids, code_points)]
    for i in range(0, len(entries), _BFCHAR_BLOCK):
        block = entries[i:i + _BFCHAR_BLOCK]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def _is_small_subset(face, characters: int) -> bool:
    """A single-font file with at most about twice the glyphs the document draws from it."""
    return face._ttf_data[:4] != _COLLECTION_TAG and face.numGlyphs <= 2 * characters + 16


def _font_program(face, code_points: list[int], whole_file: bool) -> tuple["pdfdoc.PDFStream", str]:
    """The FontFile2 stream (compressed once per process) and the subset tag."""
    key = (face.filename, getattr(face, "subfontIndex", 0), len(face._ttf_data),
           None if whole_file else tuple(code_points))
    hit = _programs.get(key)
    if hit is None:
        if len(_programs) >= MEMO_PROGRAMS:  # a long-lived worker renders many editions
            _programs.clear()
        hit = _programs[key] = _stored_program(face, code_points, whole_file)
    compressed, length, tag = hit
    stream = pdfdoc.PDFStream(content=compressed)
    stream.dictionary["Length1"] = length
    stream.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
    return stream, tag


def _stored_program(face, code_points: list[int], whole_file: bool) -> tuple[bytes, int, str]:
    """(compressed program, length, tag), from the disk cache (`paiban.fonts.disk_cache`, kind
    ``programs``: the compressed program as the payload, ``{"length": …, "tag": …}`` as the
    header) when the font file and the characters are the same as when it was stored. The code
    identity in every key covers reportlab's version (the subsetter's glyph numbering is its own)."""
    try:
        stamp = program_stamp(Path(face.filename))
    except OSError:
        stamp = None
    digest = hashlib.sha256(repr(None if whole_file else code_points).encode("ascii")).hexdigest()
    key = f"program|{stamp}|{getattr(face, 'subfontIndex', 0)}|{digest}"
    stored = read_binary_entry("programs", key) if stamp is not None else None
    if stored is not None:
        header, compressed = stored
        if isinstance(header, dict) and isinstance(header.get("length"), int) \
                and not isinstance(header["length"], bool) and isinstance(header.get("tag"), str):
            return compressed, header["length"], header["tag"]
    data = bytes(face._ttf_data) if whole_file else face.makeSubset(code_points)
    made = (zlib.compress(data), len(data), _subset_tag(data))
    if stamp is not None:
        write_binary_entry("programs", key, {"length": made[1], "tag": made[2]}, made[0])
    return made


def program_stamp(path: Path) -> tuple:
    """What identifies a font file's content for the programs cache. A conversion in the font
    cache (``converted/`` or ``whole/``, `paiban.fonts.convert`) is named by the hash of what it
    holds, and is touched on every use so that pruning drops the least recently used: its path
    and size say it all, and its mtime must not count (it would miss on every build, and store
    a new program each time). Any other font file: path, size, mtime and inode."""
    if path.parent.name in CONTENT_ADDRESSED and _HEX_NAME.fullmatch(path.stem):
        return os.path.abspath(path), path.stat().st_size
    return file_stamp(path)


def _flate_stream(compressed: bytes) -> "pdfdoc.PDFStream":
    stream = pdfdoc.PDFStream(content=compressed)
    stream.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
    return stream


def _subset_tag(program: bytes) -> str:
    """Six capital letters from the subset's content (PDF 1.7 §9.6.4): same subset, same tag."""
    digest = hashlib.sha256(program).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


__all__ = ["CidFont", "FontParts", "cid_to_gid_map", "font_parts", "to_unicode_cmap", "width_array"]
