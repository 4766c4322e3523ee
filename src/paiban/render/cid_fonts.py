"""One Type 0 (CID-keyed) font per face: two-byte glyph codes instead of 256-glyph subsets.

reportlab embeds a TrueType font as simple fonts of at most 256 glyphs each. Chinese text uses
thousands of distinct characters, so consecutive characters of a line fall into different
subsets: on the 100,000-character benchmark a 15-character line switched fonts 6.5 times on
average (44,701 ``Tf`` operators for 6,900 lines), and every subset embedded a font program of
its own. Here each face the document draws becomes one font (PDF 1.7 §9.7):

* ``/Type0`` with ``/Encoding /Identity-H``: a two-byte code per glyph, the CID;
* its ``/CIDFontType2`` descendant: CID *i* is the *i*-th character of the face's sorted
  character set (so every character has a CID of its own and ``ToUnicode`` is exact, even where
  two characters share a glyph); ``/CIDToGIDMap`` is a stream mapping each CID to its glyph in
  the embedded subset, ``/W`` gives every CID's advance;
* the subset font program comes from reportlab's TrueType subsetter (``makeSubset``, any
  number of glyphs), glyph 0 first and then the characters' glyphs in that order;
* ``/ToUnicode`` maps every CID to its character in UTF-16BE (surrogate pairs beyond U+FFFF).

The character set is given up front (an edition passes all its pages' characters), so a page
rendered alone, in any process, gets the same CIDs and the same bytes.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import NamedTuple

from reportlab.pdfbase import pdfdoc

from paiban.fonts.reportlab_fonts import utf16_hex

#: PDF literal-string spelling of each byte (printable ASCII as is, the rest octal)
_BYTE_TEXT = tuple("\\" + chr(b) if b in b"()\\" else chr(b) if 32 <= b < 127 else "\\%03o" % b
                   for b in range(256))
#: bfchar entries per block (PDF 1.7 §9.10.3: at most 100)
_BFCHAR_BLOCK = 100


def code_text(cid: int) -> str:
    """The two-byte code of ``cid`` as it is written inside a PDF string literal."""
    return _BYTE_TEXT[cid >> 8] + _BYTE_TEXT[cid & 0xFF]


class CidGlyph(NamedTuple):
    resource: str  # the font's resource name, e.g. "/C1"
    code: str  # two-byte code, escaped for a string literal
    advance: float  # per 1 pt of size


class CidFont:
    """One face as a Type 0 font: codes for its characters, and the PDF objects at the end."""

    def __init__(self, font, chars: list[str], resource: str):
        """``font`` is a registered reportlab ``TTFont``; ``chars`` the characters it will draw."""
        face = font.face
        self.font = font
        self.resource = resource
        to_glyph = face.charToGlyph
        self.code_points = sorted({ord(c) for c in chars if ord(c) in to_glyph})
        #: the file is already a subset for these characters (a converted CFF face): embed it as
        #: it is, glyph numbers unchanged; otherwise subset it
        self.whole_file = _is_small_subset(face, len(self.code_points))
        if self.whole_file:
            self.cid_to_gid = [0] + [to_glyph[cp] for cp in self.code_points]
        else:
            old_to_new = {0: 0}
            self.cid_to_gid = [0]
            for cp in self.code_points:  # makeSubset numbers new glyphs in this order
                old = to_glyph[cp]
                if old not in old_to_new:
                    old_to_new[old] = len(old_to_new)
                self.cid_to_gid.append(old_to_new[old])
        self.widths = [face.getCharWidth(cp) for cp in self.code_points]
        self.glyphs = {chr(cp): CidGlyph(resource, code_text(cid), w / 1000.0)
                       for cid, (cp, w) in enumerate(zip(self.code_points, self.widths), start=1)}

    def glyph(self, char: str) -> CidGlyph:
        hit = self.glyphs.get(char)
        if hit is None:
            raise KeyError(f"{char!r} U+{ord(char):04X} was not prepared for font {self.font.fontName}")
        return hit

    def add_to(self, doc) -> None:
        """Add the font's objects to reportlab's document and its font resources."""
        face = self.font.face
        program, tag = _font_program(face, self.code_points, self.whole_file)
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
        cid_to_gid = b"".join(g.to_bytes(2, "big") for g in self.cid_to_gid)
        descendant = pdfdoc.PDFDictionary({
            "Type": "/Font",
            "Subtype": "/CIDFontType2",
            "BaseFont": pdfdoc.PDFName(base),
            "CIDSystemInfo": pdfdoc.PDFDictionary({"Registry": "(Adobe)", "Ordering": "(Identity)",
                                                   "Supplement": 0}),
            "FontDescriptor": doc.Reference(descriptor, f"cidFontDescriptor:{base}"),
            "DW": 1000,
            "W": pdfdoc.PDFArray([1, pdfdoc.PDFArray(self.widths)]) if self.widths else pdfdoc.PDFArray([]),
            "CIDToGIDMap": doc.Reference(_stream(doc, cid_to_gid), f"cidToGid:{base}"),
        })
        type0 = pdfdoc.PDFDictionary({
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": pdfdoc.PDFName(base),
            "Encoding": "/Identity-H",
            "DescendantFonts": pdfdoc.PDFArray([doc.Reference(descendant, f"cidFont:{base}")]),
            "ToUnicode": doc.Reference(_stream(doc, to_unicode_cmap(self.code_points).encode("ascii")),
                                       f"cidToUnicode:{base}"),
        })
        name = self.resource[1:]
        doc.idToObject["BasicFonts"].dict[name] = doc.Reference(type0, name)


def to_unicode_cmap(code_points: list[int]) -> str:
    """A ToUnicode CMap: CID i (from 1) → the i-th code point, two-byte codes."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    entries = [f"<{cid:04X}> <{utf16_hex(cp)}>" for cid, cp in enumerate(code_points, start=1)]
    for i in range(0, len(entries), _BFCHAR_BLOCK):
        block = entries[i:i + _BFCHAR_BLOCK]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def _stream(doc, content: bytes, **entries) -> "pdfdoc.PDFStream":
    stream = pdfdoc.PDFStream()
    stream.content = content
    for key, value in entries.items():
        stream.dictionary[key] = value
    if doc.compression:
        stream.filters = [pdfdoc.PDFZCompress]
    return stream


#: TrueType collections: never embedded whole
_COLLECTION_TAG = b"ttcf"
#: (file, face, code points or None for the whole file) → (compressed program, length, tag):
#: a worker rendering many pages of one edition subsets and compresses each font once
_programs: dict[tuple, tuple[bytes, int, str]] = {}


def _is_small_subset(face, characters: int) -> bool:
    """A single-font file with at most about twice the glyphs the document draws from it."""
    return face._ttf_data[:4] != _COLLECTION_TAG and face.numGlyphs <= 2 * characters + 16


def _font_program(face, code_points: list[int], whole_file: bool) -> tuple["pdfdoc.PDFStream", str]:
    """The FontFile2 stream (compressed once per process) and the subset tag."""
    key = (face.filename, getattr(face, "subfontIndex", 0), len(face._ttf_data),
           None if whole_file else tuple(code_points))
    hit = _programs.get(key)
    if hit is None:
        data = bytes(face._ttf_data) if whole_file else face.makeSubset(code_points)
        hit = _programs[key] = (zlib.compress(data), len(data), _subset_tag(data))
    compressed, length, tag = hit
    stream = pdfdoc.PDFStream(content=compressed)
    stream.dictionary["Length1"] = length
    stream.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
    return stream, tag


def _subset_tag(program: bytes) -> str:
    """Six capital letters from the subset's content (PDF 1.7 §9.6.4): same subset, same tag."""
    digest = hashlib.sha256(program).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


__all__ = ["CidFont", "CidGlyph", "code_text", "to_unicode_cmap"]
