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
* its descendant, ``/DW 1000`` and ``/W`` for the advances that are not one em, from the same
  metrics composition used, and one of two kinds:

  - a **CFF** face (Noto CJK): ``/CIDFontType0`` with its own outlines as a subset
    ``/FontFile3 /Subtype /CIDFontType0C`` whose charset maps each CID to its glyph
    (`paiban.render.cff_subset`);
  - a **TrueType** face: ``/CIDFontType2``, ``/CIDToGIDMap`` a stream mapping each CID to its
    glyph in the ``/FontFile2`` program, cut from the font's bytes
    (`paiban.render.truetype_subset`), glyph 0 first and then the characters' glyphs in code
    order (a small single-face file is embedded whole);

  each program is made and compressed once: kept per process, and on disk in the font cache
  (``programs/``, a binary entry of `paiban.fonts.disk_cache` keyed by the font file's path,
  size, mtime and inode, the codes and the code identity, sealed with its SHA-256: a damaged
  entry is made again and rewritten);
* ``/ToUnicode`` maps every CID to its character in UTF-16BE (surrogate pairs beyond U+FFFF).

A page's *preview rendition* (``CidFont(..., preview=True)``, only ever drawn, by PDFium, into a
PNG) has the same fonts but for two things: a CFF face is a ``/CIDFontType2`` whose ``/FontFile2``
holds the same glyphs as TrueType outlines (`paiban.render.preview_outlines`: PDFium loads a
CFF glyph for every character it lays out, six times slower), and no font has a ToUnicode.
"""

from __future__ import annotations

import functools
import hashlib
import struct
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfdoc

from paiban.fonts.disk_cache import auto_prune, default_cache_dir, file_stamp, read_binary_entry, \
    write_binary_entry
from paiban.fonts.faces import FontFace
from paiban.fonts.metrics import load_metrics
from paiban.fonts.sfnt_bytes import Unsupported, cmap_glyphs, sfnt_tables
from paiban.fonts.vertical_glyphs import mark_of, vertical_facts
from paiban.render import preview_outlines
from paiban.render.cff_subset import cff_program
from paiban.render.text_operators import Advance, CodeSpace, resource_name
from paiban.render.truetype_subset import font_facts, glyph_order, truetype_subset

#: bfchar entries per block (PDF 1.7 §9.10.3: at most 100)
_BFCHAR_BLOCK = 100
#: programs kept per process at most (a render worker renders an edition's pages with the same few)
MEMO_PROGRAMS = 32
#: program key → `Program`, least recently used first
_programs: dict[str, "Program"] = {}


@dataclass(frozen=True)
class Program:
    """A face's compressed font program for one set of codes, and its font descriptor's facts."""

    compressed: bytes
    length: int  # uncompressed (``/Length1`` of a TrueType program)
    tag: str  # the subset tag, from the program's bytes
    descriptor: dict  # PostScript name, FontBBox, Ascent, Descent, CapHeight, ItalicAngle, Flags, StemV


@dataclass(frozen=True)
class FontParts:
    """What a face's font objects hold for one set of characters, computed once per process: an
    edition's page PDFs all embed the same fonts for the edition's characters (~3,500 of them
    on the benchmark), so its render workers would otherwise build the same arrays and
    compress the same maps for every page (~5 ms a PDF)."""

    codes: tuple[tuple[int, int], ...]  # (CID, code point) of every character drawn, by CID
    glyphs: tuple[int, ...]  # a TrueType face: each code's glyph in the font file
    whole_file: bool  # a TrueType file that is already a subset for these characters: embedded as it is
    widths: bytes  # the /W array, formatted
    cid_to_gid: bytes | None  # compressed; None for a CFF face (its charset maps CIDs)
    to_unicode: bytes  # compressed
    program_digest: str  # SHA-256 of the codes a program is cut for (none for a whole file): its cache key


#: (face, characters, code space) → FontParts, least recently used first
_parts: dict[tuple, FontParts] = {}


#: guards the memos' order (a Dask worker runs jobs in threads)
_memo_lock = threading.Lock()


def _recall(memo: dict, key: object) -> object | None:
    """``memo[key]``, now the most recently used, or None."""
    with _memo_lock:
        hit = memo.pop(key, None)
        if hit is not None:
            memo[key] = hit
        return hit


def _remember(memo: dict, key: object, value: object) -> None:
    """Keep ``value`` as the most recently used entry of ``memo``, forgetting the least recently
    used beyond `MEMO_PROGRAMS` (a worker's page PDFs each have a slug font of their own, which
    would otherwise push out the fonts of the composition its next pages share)."""
    with _memo_lock:
        memo[key] = value
        if len(memo) > MEMO_PROGRAMS:
            del memo[next(iter(memo))]


@dataclass(frozen=True)
class PreviewOutlines:
    """A CFF face's font in a preview rendition (`paiban.render.preview_outlines`): a TrueType
    program of the same glyphs and its CIDToGIDMap, both uncompressed (the PDF is read once, in
    memory), and its font descriptor's facts."""

    program: bytes
    cid_to_gid: bytes
    tag: str
    descriptor: dict


#: face → code point → its glyph (0: none), as looked up so far (a page's fonts differ from its
#: composition's by the slug's few characters)
_source_glyphs: dict[FontFace, dict[int, int]] = {}


class CidFont:
    """One face as a Type 0 font, added to a reportlab document at the end of a render."""

    def __init__(self, face: FontFace, chars: Sequence[str], space: CodeSpace, advance: Advance,
                 preview: bool = False):
        """``chars``: the characters the face draws in this document, sorted. ``preview``: for a
        preview rendition, a CFF face is drawn with TrueType outlines of its glyphs (`preview_font`)."""
        self.face = face
        self.preview = preview
        self.resource = resource_name(face.key)
        key = (face, chars if isinstance(chars, str) else "".join(chars), space.astral)
        parts = _recall(_parts, key)
        if parts is None:
            parts = font_parts(face, chars, space, advance)
            _remember(_parts, key, parts)
        self.parts = parts

    @functools.cached_property
    def cids(self) -> frozenset[int]:
        """The codes the font draws."""
        return frozenset(cid for cid, _ in self.parts.codes)

    def program(self) -> Program:
        """The face's program for this document's codes (per process, disk cache, or made)."""
        return font_program(self.face, self.parts)

    def add_to(self, doc, vertical: bool = False) -> None:
        """Add the font's objects to reportlab's document and its font resources; with
        `vertical`, the face's vertical font too (`_add_vertical`). Each object is formatted as
        it is added (its references are to objects added before it), and the formatted objects
        of a print font are kept per process for where they start in the document: the pages of
        a composition embed the same fonts, as objects of the same numbers."""
        program = None if self.preview and self.face.is_cff else self.program()
        parts = self.parts
        key = None if self.preview else (self.face, parts.program_digest, parts.widths, parts.to_unicode,
                                         parts.cid_to_gid, program.compressed, vertical, doc.objectcounter)
        objects = _recall(_formatted_fonts, key) if key is not None else None
        if objects is None:
            added = _Added(doc)
            self._add_objects(added, program, vertical)
            objects = tuple(added.objects)
            if key is not None:
                _remember(_formatted_fonts, key, objects)
        else:
            for name, data in objects:
                doc.Reference(data, name)
        fonts = doc.idToObject[pdfdoc.BasicFonts].dict
        fonts[self.resource[1:]] = pdfdoc.PDFObjectReference(self.resource[1:])
        if vertical:
            fonts["V" + self.resource[2:]] = pdfdoc.PDFObjectReference("V" + self.resource[2:])

    def _add_objects(self, doc: "_Added", program: Program | None, vertical: bool) -> None:
        """The font's objects, as `add_to` adds them (``program``: None for a preview rendition's
        CFF face, drawn with TrueType outlines)."""
        parts = self.parts
        outlines = preview_font(self.face, parts) if program is None else None
        cff = self.face.is_cff and outlines is None
        if outlines is None:
            info, tag = program.descriptor, program.tag
            stream = pdfdoc.PDFStream(content=program.compressed)
            stream.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
        else:
            info, tag = outlines.descriptor, outlines.tag
            stream = pdfdoc.PDFStream(content=outlines.program, filters=[])
        base = f"{tag}+{info['name']}"
        if cff:
            stream.dictionary["Subtype"] = pdfdoc.PDFName("CIDFontType0C")
        else:
            stream.dictionary["Length1"] = program.length if outlines is None else len(outlines.program)
        descriptor = pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor",
            "FontName": pdfdoc.PDFName(base),
            "Flags": info["flags"],
            "FontBBox": pdfdoc.PDFArray(info["bbox"]),
            "ItalicAngle": info["italic"],
            "Ascent": info["ascent"],
            "Descent": info["descent"],
            "CapHeight": info["cap_height"],
            "StemV": info["stem_v"],
            "FontFile3" if cff else "FontFile2": doc.add(stream, f"cidFontFile:{base}"),
        })
        descendant = {
            "Type": "/Font",
            "Subtype": "/CIDFontType0" if cff else "/CIDFontType2",
            "BaseFont": pdfdoc.PDFName(base),
            "CIDSystemInfo": _identity_system(),
            "FontDescriptor": doc.add(descriptor, f"cidFontDescriptor:{base}"),
            "DW": 1000,
            "W": parts.widths,
        }
        if outlines is not None:
            descendant["CIDToGIDMap"] = doc.add(pdfdoc.PDFStream(content=outlines.cid_to_gid, filters=[]),
                                                f"cidToGid:{base}")
        elif parts.cid_to_gid is not None:
            descendant["CIDToGIDMap"] = doc.add(_flate_stream(parts.cid_to_gid), f"cidToGid:{base}")
        descendants = pdfdoc.PDFArray([doc.add(pdfdoc.PDFDictionary(descendant), f"cidFont:{base}")])
        # a preview rendition is only drawn: no ToUnicode, which PDFium reads for every character
        to_unicode = {} if self.preview else {
            "ToUnicode": doc.add(_flate_stream(parts.to_unicode), f"cidToUnicode:{base}")}
        doc.add(pdfdoc.PDFDictionary({
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": pdfdoc.PDFName(base),
            "Encoding": "/Identity-H",
            "DescendantFonts": descendants,
            **to_unicode,
        }), self.resource[1:])
        if vertical:
            self._add_vertical(doc, base, descendant, to_unicode)

    def _add_vertical(self, doc: "_Added", base: str, descendant: dict, to_unicode: dict) -> None:
        """The face's vertical font (竖排): a Type 0 font with the Identity-V CMap (writing mode
        1) over a descendant that shares the font program, descriptor and ToUnicode, with the
        vertical metrics (PDF 1.7 §9.7.4.3): every glyph advances one em down (``/DW2``
        [origin −1000]), and a vertical form whose origin is not the face's default says so in
        ``/W2`` (`paiban.render.vertical_text` draws with it)."""
        facts = vertical_facts(self.face)
        own = sorted((cid, facts.forms[mark_of(chr(cp))].origin) for cid, cp in self.parts.codes
                     if mark_of(chr(cp)) in facts.forms and facts.forms[mark_of(chr(cp))].origin != facts.default_origin)
        w2: list = []
        for cid, origin in own:
            w2 += [cid, cid, -1000, 500, origin]
        vertical = {**descendant, "DW2": pdfdoc.PDFArray([facts.default_origin, -1000])}
        if w2:
            vertical["W2"] = pdfdoc.PDFArray(w2)
        doc.add(pdfdoc.PDFDictionary({
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": pdfdoc.PDFName(base),
            "Encoding": "/Identity-V",
            "DescendantFonts": pdfdoc.PDFArray([doc.add(pdfdoc.PDFDictionary(vertical), f"cidFontV:{base}")]),
            **to_unicode,
        }), "V" + self.resource[2:])


#: the formatted objects of print fonts (name, bytes), by what they are made of and the number
#: of the document's last object before them, least recently used first
_formatted_fonts: dict[tuple, tuple[tuple[str, bytes], ...]] = {}


class _Added:
    """Adds objects to a reportlab document formatted, as reportlab formats them when it writes
    the file (reportlab copies bytes as they are), and records them."""

    def __init__(self, doc):
        self.doc = doc
        self.objects: list[tuple[str, bytes]] = []

    def add(self, obj, name: str):
        """Add ``obj`` as ``name``; a reference to it."""
        data = pdfdoc.format(obj, self.doc, toplevel=1)
        self.objects.append((name, data))
        return self.doc.Reference(data, name)


@functools.cache
def _identity_system() -> bytes:
    """A descendant font's CIDSystemInfo: Adobe-Identity-0."""
    return pdfdoc.format(pdfdoc.PDFDictionary({"Registry": "(Adobe)", "Ordering": "(Identity)", "Supplement": 0}),
                         pdfdoc.DummyDoc())


def _truetype_glyphs(face: FontFace, chars: Sequence[str]) -> tuple[dict[int, int], bool]:
    """Code point → glyph of ``chars`` in a TrueType face, and whether the face's file is small
    enough to embed whole (one face with at most about twice the glyphs drawn), read from the
    file's bytes: a build whose programs are cached never parses the font."""
    tables, collection = sfnt_tables(face.path, face.index, ("cmap", "maxp"))
    glyphs = cmap_glyphs(tables["cmap"], sorted({ord(c) for c in chars}))
    count = struct.unpack_from(">H", tables["maxp"], 4)[0]
    return glyphs, not collection and count <= 2 * len(glyphs) + 16


def font_parts(face: FontFace, chars: Sequence[str], space: CodeSpace, advance: Advance) -> FontParts:
    """The `FontParts` of ``face`` for ``chars`` (a list or a string of them)."""
    to_glyph: dict[int, int] = {}
    whole_file = False
    forms = _stand_in_glyphs(face, chars)
    if face.is_cff:
        metrics = load_metrics(face)
        has = lambda c: metrics.has(c) or ord(c) in forms  # noqa: E731
    else:
        to_glyph, whole_file = _truetype_glyphs(face, chars)
        to_glyph.update(forms)
        has = lambda c: ord(c) in to_glyph  # noqa: E731
    drawn = sorted({c for c in chars if has(c)}, key=space.cid)
    cids = [space.cid(c) for c in drawn]
    code_points = [ord(c) for c in drawn]
    # a vertical form's stand-in reads back as its mark, and is one em wide (as every form is)
    marks = [ord(mark_of(c)) if ord(c) in forms else cp for c, cp in zip(drawn, code_points)]
    widths = [1000.0 if ord(c) in forms else advance(face.key, c) * 1000 for c in drawn]
    cid_to_gid = None
    sources = tuple(to_glyph[cp] for cp in code_points) if not face.is_cff else ()
    if not face.is_cff:
        gids = list(sources) if whole_file else glyph_order(list(sources))[1]
        cid_to_gid = zlib.compress(cid_to_gid_map(cids, gids))
    widths_pdf = _formatted_widths(tuple((cid, w) for cid, w in zip(cids, widths) if w != 1000 and round(w, 3) != 1000))
    codes = tuple(zip(cids, code_points))
    return FontParts(codes, sources, whole_file, widths_pdf, cid_to_gid,
                     zlib.compress(to_unicode_cmap(cids, marks).encode("ascii")),
                     hashlib.sha256(repr(None if whole_file else codes).encode("ascii")).hexdigest())


def _stand_in_glyphs(face: FontFace, chars: Sequence[str]) -> dict[int, int]:
    """Code point of a vertical form's stand-in among `chars` → the form's glyph in the face
    (`paiban.fonts.vertical_glyphs`); empty, without reading the font, when there is none."""
    wanted = [c for c in chars if mark_of(c) is not None]
    if not wanted:
        return {}
    forms = vertical_facts(face).forms
    return {ord(c): forms[mark_of(c)].gid for c in wanted if mark_of(c) in forms}


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


@functools.lru_cache(maxsize=256)
def _formatted_widths(advances: tuple[tuple[int, float], ...]) -> bytes:
    """The ``/W`` array of the (CID, advance) pairs whose advance is not one em, formatted by
    reportlab (which copies bytes into the file as they are): once per process for the same
    pairs, as in the fonts of a composition's pages, which differ by their slugs' page numbers."""
    return pdfdoc.format(pdfdoc.PDFArray(width_array([cid for cid, _ in advances], [w for _, w in advances])), None)


def cid_to_gid_map(cids: list[int], gids: list[int]) -> bytes:
    """Two bytes per CID from 0 to the largest, the glyph of each (0: none)."""
    table = bytearray(2 * (max(cids) + 1 if cids else 1))
    for cid, gid in zip(cids, gids):
        table[2 * cid:2 * cid + 2] = gid.to_bytes(2, "big")
    return bytes(table)


def utf16_hex(code_point: int) -> str:
    """The UTF-16BE code units of ``code_point`` in upper-case hex (4 digits, or 8 for a pair)."""
    if code_point <= 0xFFFF:
        return "%04X" % code_point
    v = code_point - 0x10000
    return "%04X%04X" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))


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


def font_program(face: FontFace, parts: FontParts) -> Program:
    """The face's `Program` for ``parts``: kept per process, else from the disk cache
    (`paiban.fonts.disk_cache`, kind ``programs``: the compressed program as the payload, the rest
    as the header) when the font file and the codes are the same as when it was stored, else made.
    The code identity in every key covers the code that cuts programs (and fontTools' version)."""
    try:
        stamp = file_stamp(Path(face.path))
    except OSError:
        stamp = None
    key = f"program|{'cff' if face.is_cff else 'ttf'}|{stamp}|{face.index}|{parts.program_digest}"
    hit = _recall(_programs, key)
    if hit is not None:
        return hit
    hit = _stored(key) if stamp is not None else None
    if hit is None:
        hit = _make_cff(face, parts) if face.is_cff else _make_ttf(face, parts)
        if stamp is not None:
            write_binary_entry("programs", key, {"length": hit.length, "tag": hit.tag, "descriptor": hit.descriptor},
                               hit.compressed)
            auto_prune(default_cache_dir())
    _remember(_programs, key, hit)  # a long-lived worker renders many editions
    return hit


_DESCRIPTOR_KEYS = {"name": str, "flags": int, "bbox": list, "italic": (int, float), "ascent": int,
                    "descent": int, "cap_height": int, "stem_v": int}


def _stored(key: str) -> Program | None:
    stored = read_binary_entry("programs", key)
    if stored is None:
        return None
    header, compressed = stored
    if not isinstance(header, dict):
        return None
    length, tag, descriptor = header.get("length"), header.get("tag"), header.get("descriptor")
    if not (isinstance(length, int) and not isinstance(length, bool) and isinstance(tag, str)
            and isinstance(descriptor, dict) and descriptor.keys() == _DESCRIPTOR_KEYS.keys()
            and all(isinstance(descriptor[k], t) for k, t in _DESCRIPTOR_KEYS.items())):
        return None
    return Program(compressed, length, tag, descriptor)


def _make_ttf(face: FontFace, parts: FontParts) -> Program:
    data = (Path(face.path).read_bytes() if parts.whole_file
            else truetype_subset(face.path, face.index, list(parts.glyphs)))
    return Program(zlib.compress(data), len(data), _subset_tag(data), font_facts(face.path, face.index))


def _make_cff(face: FontFace, parts: FontParts) -> Program:
    made = cff_program(face.path, face.index, list(parts.codes),
                       _stand_in_glyphs(face, [chr(cp) for _, cp in parts.codes]))
    descriptor = {"name": made.ps_name, "flags": 1 << 2,  # symbolic
                  "bbox": list(made.bbox), "italic": made.italic_angle, "ascent": made.ascent,
                  "descent": made.descent, "cap_height": made.cap_height, "stem_v": 80}
    return Program(zlib.compress(made.data), len(made.data), _subset_tag(made.data), descriptor)


def preview_font(face: FontFace, parts: FontParts) -> PreviewOutlines | None:
    """The CFF face's `PreviewOutlines` for ``parts``' codes: glyph 0, then each code's glyph
    once, in code order; a code the face lacks draws glyph 0, as in the CFF program. None (draw
    with the CFF program) where the face's cmap is not read from its bytes. Not kept: a page's
    codes are its own (its slug's characters), and assembling the program takes ~1 ms."""
    stand_ins = _stand_in_glyphs(face, [chr(cp) for _, cp in parts.codes])
    known = _source_glyphs.setdefault(face, {})
    missing = sorted({cp for _, cp in parts.codes if cp not in stand_ins} - known.keys())
    try:
        if missing:
            tables, _ = sfnt_tables(face.path, face.index, ("cmap",))
            found = cmap_glyphs(tables["cmap"], missing)
            known.update((cp, found.get(cp, 0)) for cp in missing)
    except (Unsupported, KeyError, struct.error):
        return None
    order, gids = glyph_order([stand_ins.get(cp) or known[cp] for _, cp in parts.codes])
    program = preview_outlines.program(face, order)
    return PreviewOutlines(program, cid_to_gid_map([cid for cid, _ in parts.codes], gids), _subset_tag(program),
                           font_facts(face.path, face.index))


def _flate_stream(compressed: bytes) -> "pdfdoc.PDFStream":
    stream = pdfdoc.PDFStream(content=compressed)
    stream.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
    return stream


def _subset_tag(program: bytes) -> str:
    """Six capital letters from the subset's content (PDF 1.7 §9.6.4): same subset, same tag."""
    digest = hashlib.sha256(program).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])




def prepare_program(face: FontFace, chars: str, advance: Advance) -> str:
    """Make the face's font program for ``chars`` so that it is in the font cache before the
    render jobs ask for it (an edition's fonts, made once instead of by every worker); the
    program's subset tag. Characters beyond U+FFFF are coded as in a document of ``chars``
    alone: where the edition's code space differs, the render jobs make their own program."""
    font = CidFont(face, sorted(set(chars)), CodeSpace(c for c in chars if ord(c) > 0xFFFF), advance)
    return font.program().tag


__all__ = ["CidFont", "FontParts", "PreviewOutlines", "Program", "cid_to_gid_map", "font_parts", "font_program",
           "prepare_program", "preview_font", "to_unicode_cmap", "utf16_hex", "width_array"]
