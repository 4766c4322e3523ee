"""The PDF backend: encoded pages (`paiban.model.placed.EncodedPage`) → a press PDF, with reportlab.

Glyphs are drawn exactly where composition put them: one text object per line, a per-line
character spacing (`Tc`, 5 decimals so the pen does not drift) for the even spread, `TJ`
adjustments only where a glyph deviates from it (squeezed marks, unit boundaries), `Tz` where a
dash glyph is stretched. Each face is one Type 0 font with two-byte codes (`cid_fonts`), with
the face's own outlines (CFF or TrueType), so a line switches fonts only where its face changes.

The file is what a printing plant's preflight accepts (`paiban.render.press`, docs/print.md):
PDF/X-4 (or X-1a) with its version keys, XMP metadata and an output intent with the CMYK
profile; every page has a TrimBox (the page as designed), a BleedBox and a MediaBox with crop
and registration marks and the slug line; tints, boxes and pictures that touch the trim run on
into the bleed. Colour is CMYK only: pictures are converted to the output profile
(`paiban.render.pictures`) and embedded under content-derived names; black text, rules and
outlines are K only and overprint (``/OP true /op true /OPM 1``) so misregistration shows no
white halo; tints and pictures knock out. Nothing reportlab would add on its own is left in:
no initial Helvetica, no RGB default colour. `invariant=1` (or ``SOURCE_DATE_EPOCH``) fixes the
dates, so the output is byte-identical for identical input. The file is written to a temporary
name in the target directory and renamed into place, so a crash never leaves half a PDF. With
proof overlays (``--proof``, `paiban.render.proof_drawing`) the file is a proof, not for press,
and makes no PDF/X claim.

A render worker writes many PDFs alike (a composition's pages, with the same fonts and press
settings): what is the same in each (the output profile's stream, the overprinting state, a
page's boxes and resources, the fixed strings of the document information, a composition's font
objects, `cid_fonts`) is formatted by reportlab once per process and handed to it as bytes, which
it copies into the file as they are (`_formatted`); the bytes of the file are those reportlab
writes when it formats everything itself. A page's text objects, most of its bytes, come
deflated with the page (`EncodedPage.stream`) and go into the file as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFStream
from reportlab.pdfgen.canvas import Canvas

from paiban.atomic_files import write_atomically
from paiban.fonts.faces import FontFace
from paiban.fonts.metrics import load_metrics
from paiban.model.placed import EncodedPage, PlacedImage, Rect
from paiban.model.spec import Press
from paiban.page.proof_overlay import ProofShape
from paiban.render import press as pressing
from paiban.render import proof_drawing
from paiban.render.cid_fonts import CidFont
from paiban.render.pictures import cmyk_picture
from paiban.render.text_operators import Advance, CodeSpace, UnplannedCharacter, deflate_stream

#: the overprinting graphics state of black text, rules and outlines
OVERPRINT = "/GSop gs"
BLACK = (0.0, 0.0, 0.0, 1.0)
#: how close to the trim an element must come to run on into the bleed (pt)
TOUCHING = 0.01
#: points: a crop computed from the frame differs from it by float rounding, not by design
EPSILON = 1e-6


class _Canvas(Canvas):
    """reportlab's canvas without its page preamble's initial font (an unembedded Helvetica
    unless the initial font is a TrueType one) and default RGB colours: every page of ours sets
    its own font and CMYK colours."""

    def _make_preamble(self) -> None:
        self._preamble = "1 0 0 1 0 0 cm"


def write_pdf(title: str, pages: Sequence[EncodedPage], path: Path, faces: Mapping[str, FontFace],
              advance: Advance, author: str = "paiban", font_chars: dict[str, str] | None = None,
              proof: Mapping[int, Sequence[ProofShape]] | None = None) -> None:
    """Write the encoded pages to `path` as one press PDF (`pdf_bytes`), atomically."""
    write_atomically(path, pdf_bytes(title, pages, faces, advance, author, font_chars, proof))


def pdf_bytes(title: str, pages: Sequence[EncodedPage], faces: Mapping[str, FontFace], advance: Advance,
              author: str = "paiban", font_chars: dict[str, str] | None = None,
              proof: Mapping[int, Sequence[ProofShape]] | None = None, preview: bool = False) -> bytes:
    """The encoded pages as one press PDF.

    `faces` maps each FontFace.key the pages draw with to its face; `advance` gives the metrics
    composition used (the fonts' /W arrays agree with the glyph positions). `font_chars` (face →
    characters) names the characters each font is made for; by default those the pages draw. An
    edition passes the characters of all its pages, so that every page, rendered alone or in any
    process, embeds the same font subsets: same bytes. Every page must use the same code space
    (`EncodedPage.astral`) and the same press settings. `proof`: each page's proof overlays
    (`paiban.render.proof_drawing`), which make the PDF a proof, not for press. A page's text
    objects are embedded as they were deflated when it was encoded (`EncodedPage.stream`), a
    stream of their own between the page's others in its /Contents. `preview`: the page's
    preview rendition, not for press: CFF faces drawn with TrueType outlines of their glyphs
    (`paiban.render.preview_outlines`)."""
    used: dict[str, set[str]] = {}
    for page in pages:
        for face, chars in page.chars.items():
            used.setdefault(face, set()).update(chars)
    spaces = {page.astral for page in pages}
    if len(spaces) > 1:
        raise ValueError("the pages of one PDF were encoded with different code spaces")
    space = CodeSpace(spaces.pop() if spaces else ())
    settings = {page.press for page in pages}
    if len(settings) > 1:
        raise ValueError("the pages of one PDF have different press settings")
    press = settings.pop() if settings else Press()
    slug_face = _slug_face(pages, used, faces, space) if press.marks else None
    if slug_face is not None:
        used[slug_face].update(c for page in pages for c in page.slug)
    label_face = _covering_face(proof_drawing.label_chars(proof), used, faces, space) if proof else None
    if label_face is not None:
        used[label_face].update(proof_drawing.label_chars(proof))
    prepared = font_chars or {}
    fonts = {key: CidFont(faces[key], _font_text(used[key], prepared.get(key, "")), space, advance, preview)
             for key in sorted(used)}
    profile = pressing.icc_profile(press)
    rl_config.useA85 = 0  # binary streams: smaller, and reportlab's pure-Python ASCII85 is slow
    canvas = _Canvas("", invariant=1, pageCompression=1, lang="zh-CN")
    doc = canvas._doc
    doc._pdfVersion = pressing.pdf_version(press)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator("paiban")
    canvas.setSubject(title)
    overprint = doc.Reference(_overprint_state(), "GSoverprint")
    pictures: dict[str, object] = {}
    drawn: list[tuple[dict[str, object], pressing.PageBoxes, bytes]] = []
    for page in pages:
        boxes = pressing.page_boxes(page.width, page.height, press)
        canvas.setPageSize(boxes.media[2:])
        shapes = proof.get(page.number, ()) if proof is not None else ()
        used_pictures = _draw_page(canvas, page, boxes, profile.data, press, pictures, shapes,
                                   fonts[label_face] if label_face is not None else None, space)
        if proof is not None:
            canvas.bookmarkPage(proof_drawing.PAGE_KEY.format(page.number))
            proof_drawing.links(canvas, shapes, boxes.offset, (p.number for p in pages))
        if press.marks:
            canvas._code.append(pressing.marks_operators(boxes))
            if slug_face is not None and page.slug:
                canvas._code.append(_slug_text(page.slug, fonts[slug_face], space, boxes))
        canvas.showPage()
        drawn.append((used_pictures, boxes, page.stream))
    references: dict[str, object] = {}
    for pdf_page, (used_pictures, boxes, text) in zip(doc.Pages.pages, drawn):
        _compress_contents(pdf_page, text)
        pdf_page.MediaBox, pdf_page.TrimBox, pdf_page.BleedBox = _boxes(boxes)
        if not used_pictures:
            pdf_page.Resources = _page_resources(doc, pdf_page, overprint)
        else:
            pdf_page.ExtGState = pdfdoc.PDFDictionary({"GSop": overprint})
            for name, picture in used_pictures.items():
                if name not in references:
                    references[name] = doc.Reference(_image_stream(picture), f"picture:{name}")
            pdf_page.XObjects = pdfdoc.PDFDictionary({name: references[name] for name in sorted(used_pictures)})
            pdf_page.hasImages = 1
    vertical = {face for page in pages for face in page.vertical_faces}
    for key, font in fonts.items():
        font.add_to(doc, vertical=key in vertical)
    _add_press_objects(doc, title, press, profile, pages, proof is not None)
    return canvas.getpdfdata()


@functools.lru_cache(maxsize=64)
def _prepared(chars: str) -> tuple[str, frozenset[str]]:
    """The characters a font is prepared for (`pdf_bytes`' ``font_chars``), sorted and as a set:
    once per process (sorting a composition's ~600 characters takes ~0.1 ms, for every page)."""
    distinct = frozenset(chars)
    return "".join(sorted(distinct)), distinct


def _font_text(drawn: set[str], prepared: str) -> str:
    """The characters a font is made for, sorted: those it is ``prepared`` for and those ``drawn``."""
    text, known = _prepared(prepared)
    return text if drawn <= known else "".join(sorted(known | drawn))


def _slug_face(pages: Sequence[EncodedPage], used: dict[str, set[str]], faces: Mapping[str, FontFace],
               space: CodeSpace) -> str | None:
    """The face that draws the slug lines: the first (by key) that has all their characters,
    else the one that has most of them; None without slugs or faces."""
    return _covering_face({c for page in pages for c in page.slug if not c.isspace()}, used, faces, space)


def _covering_face(text: set[str], used: dict[str, set[str]], faces: Mapping[str, FontFace],
                   space: CodeSpace) -> str | None:
    """The face that draws `text` (slug, proof labels): the first (by key) that has all its
    characters, else the one that has most of them; None without text or faces."""
    if not text or not used:
        return None
    covered = {}
    for key in sorted(used):
        has = load_metrics(faces[key]).has
        covered[key] = sum(1 for c in text if has(c) and _in_space(space, c))
        if covered[key] == len(text):
            return key
    return max(sorted(covered), key=lambda k: covered[k])


def _in_space(space: CodeSpace, char: str) -> bool:
    try:
        space.cid(char)
        return True
    except UnplannedCharacter:
        return False


def _slug_text(slug: str, font: CidFont, space: CodeSpace, boxes: pressing.PageBoxes) -> str:
    """The slug line in registration colour, with the codes its font has (others are left out)."""
    codes = []
    for char in slug:
        if char == " ":
            codes.append(None)
        elif _in_space(space, char) and space.cid(char) in font.cids:
            codes.append(space.cid(char))
    x, y = pressing.slug_origin(boxes)
    runs, parts = [], []
    for code in codes:
        if code is None:
            if parts:
                runs.append("<" + "".join(parts) + ">")
                parts = []
            runs.append("-500")  # half an em between the slug's fields
        else:
            parts.append(f"{code:04X}")
    if parts:
        runs.append("<" + "".join(parts) + ">")
    return (f"q 1 1 1 1 k BT {font.resource} {pressing.SLUG_SIZE:g} Tf 1 0 0 1 {x:.3f} {y:.3f} Tm "
            f"[{' '.join(runs)}] TJ ET Q")


def _add_press_objects(doc, title: str, press: Press, profile: pressing.OutputProfile,
                       pages: Sequence[EncodedPage], proof: bool = False) -> None:
    """The output intent, the XMP metadata and the PDF/X keys of the document information; a
    proof has the output intent only, and says it is one (`paiban.render.proof_drawing`)."""
    intent = {
        "Type": "/OutputIntent",
        "S": "/GTS_PDFX",
        "OutputConditionIdentifier": _text_string(press.output_condition_identifier or profile.description),
        "Info": _text_string(profile.description),
        "DestOutputProfile": doc.Reference(_profile_stream(profile), "outputProfile"),
    }
    if press.output_condition:
        intent["OutputCondition"] = _text_string(press.output_condition)
    if press.registry_name:
        intent["RegistryName"] = _text_string(press.registry_name)
    catalog = doc.Catalog
    catalog.__NoDefault__ = [*catalog.__NoDefault__, "OutputIntents"]
    catalog.OutputIntents = pdfdoc.PDFArray([pdfdoc.PDFDictionary(intent)])
    if proof:
        doc.setKeywords("proof, not for press")
    else:
        # the settings and the profile's content, not its path: the same bytes in any checkout
        content = pressing.content_id(title, [page.stream for page in pages] + [
            repr(replace(press, profile=None)), profile.digest])
        xmp = pdfdoc.PDFStream(dictionary=pdfdoc.PDFDictionary({"Type": "/Metadata", "Subtype": "/XML"}),
                               content=pressing.xmp_packet(title, press, doc._timeStamp.t, content), filters=[])
        catalog.Metadata = xmp  # uncompressed, as PDF/X asks, so that any tool finds the packet
    info = doc.info
    doc.info = _PressInfo({} if proof else pressing.version_keys(press))
    doc.info.__dict__.update({k: v for k, v in info.__dict__.items() if k != "extra"})


# Objects and values that are the same in every PDF a process writes are formatted by reportlab
# once (`_formatted`): reportlab copies bytes into the file as they are.

def _formatted(obj: object) -> bytes:
    """``obj`` (without references to other objects) as reportlab writes it into a file."""
    return pdfdoc.format(obj, pdfdoc.DummyDoc(), toplevel=1)


@functools.cache
def _overprint_state() -> bytes:
    """The graphics state of black text, rules and outlines (`OVERPRINT`)."""
    return _formatted(pdfdoc.PDFDictionary({"Type": "/ExtGState", "OP": "true", "op": "true", "OPM": 1}))


@functools.lru_cache(maxsize=4)
def _profile_stream(profile: pressing.OutputProfile) -> bytes:
    """The output intent's ICC profile stream."""
    icc = pdfdoc.PDFStream(content=profile.compressed, filters=[])
    icc.dictionary["N"] = 4
    icc.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
    return _formatted(icc)


@functools.lru_cache(maxsize=16)
def _boxes(boxes: pressing.PageBoxes) -> tuple[bytes, bytes, bytes]:
    """A page's MediaBox, TrimBox and BleedBox arrays."""
    return tuple(_formatted(pdfdoc.PDFArray(list(box))) for box in (boxes.media, boxes.trim, boxes.bleed_box))


#: the resources of a page without pictures (its fonts and the overprinting graphics state), by
#: the numbers of the objects they refer to and whether reportlab lists the image procedure sets
_resources: dict[tuple, bytes] = {}


def _page_resources(doc, page, overprint) -> bytes:
    """The resources reportlab gives a page without pictures (`pdfdoc.PDFPage.check_format`),
    formatted once per process."""
    key = (doc.idToObjectNumberAndVersion[pdfdoc.BasicFonts], doc.idToObjectNumberAndVersion[overprint.name],
           bool(page.hasImages))
    hit = _resources.get(key)
    if hit is None:
        resources = pdfdoc.PDFResourceDictionary()
        resources.basicFonts()
        if page.hasImages:  # what reportlab's canvas says of every page
            resources.allProcs()
        resources.ExtGState = pdfdoc.PDFDictionary({"GSop": overprint})
        hit = _resources[key] = pdfdoc.format(resources, doc)
    return hit


@functools.lru_cache(maxsize=64)
def _text_string(text: str) -> bytes:
    """A text string of the document information or the output intent that every PDF has."""
    return _formatted(pdfdoc.PDFString(text))


class _PressInfo(pdfdoc.PDFInfo):
    """The document information with the PDF/X version keys."""

    def __init__(self, extra: dict[str, str]):
        super().__init__()
        self.extra = extra

    def format(self, document):
        title = _formatted(pdfdoc.PDFString(self.title))
        D = {"Title": title, "Author": _text_string(self.author),
             "Producer": _text_string(self.producer), "Creator": _text_string(self.creator),
             "Subject": title if self.subject == self.title else pdfdoc.PDFString(self.subject),
             "Keywords": _text_string(self.keywords), "Trapped": pdfdoc.PDFName(self.trapped)}
        D["ModDate"] = D["CreationDate"] = _formatted(pdfdoc.PDFDate(ts=document._timeStamp,
                                                                    dateFormatter=self._dateFormatter))
        D.update({key: _text_string(value) for key, value in self.extra.items()})
        return pdfdoc.PDFDictionary(D).format(document)


#: where a page's text objects go in its content (`_draw_page`): a comment, in case it stayed
_TEXT_HERE = "%text"


def _compress_contents(page, text: bytes) -> None:
    """Give a reportlab page its content as `PDFPage.check_format` would (check_format keeps
    what it finds), compressed: the page's own operators, and at `_TEXT_HERE` its text objects,
    deflated when they were encoded, as they are (/Contents an array of the streams)."""
    if page.Contents or not page.stream or not page.compression:
        return
    content = page.stream.encode("utf-8") if isinstance(page.stream, str) else page.stream
    if not text:
        page.Contents = _flate_stream(deflate_stream(content))
        return
    before, after = content.split(b"\n" + _TEXT_HERE.encode("ascii") + b"\n", 1)
    page.Contents = pdfdoc.PDFArray([_flate_stream(deflate_stream(before)), _flate_stream(text),
                                     _flate_stream(deflate_stream(after))])


def _flate_stream(data: bytes) -> PDFStream:
    """A content stream of deflated `data`."""
    stream = PDFStream(content=data)
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    stream.__Comment__ = "page stream"
    return stream


def _image_stream(picture) -> PDFStream:
    stream = PDFStream(content=picture.compressed)
    stream.dictionary.dict.update({"Type": pdfdoc.PDFName("XObject"), "Subtype": pdfdoc.PDFName("Image"),
                              "Width": picture.width, "Height": picture.height,
                              "ColorSpace": pdfdoc.PDFName("DeviceCMYK"), "BitsPerComponent": 8,
                              "Filter": pdfdoc.PDFName("FlateDecode")})
    return stream


def _n(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".")


def _cmyk(values, op: str) -> str:
    return " ".join(_n(v) for v in values) + " " + op


def _bled(x: float, y: float, w: float, h: float, page: EncodedPage, bleed: float
          ) -> tuple[float, float, float, float]:
    """A box that touches the trim extended by the bleed on the sides where it touches."""
    x0, y0, x1, y1 = x, y, x + w, y + h
    if x0 <= TOUCHING:
        x0 = -bleed
    if y0 <= TOUCHING:
        y0 = -bleed
    if x1 >= page.width - TOUCHING:
        x1 = page.width + bleed
    if y1 >= page.height - TOUCHING:
        y1 = page.height + bleed
    return x0, y0, x1 - x0, y1 - y0


def _draw_page(canvas: Canvas, page: EncodedPage, boxes: pressing.PageBoxes, profile: bytes, press: Press,
               pictures: dict[str, object], proof: Sequence[ProofShape] = (), label_font: CidFont | None = None,
               space: CodeSpace = CodeSpace()) -> dict[str, object]:
    """The page's content, shifted onto the trim, with its proof overlays; the pictures it
    draws, by resource name."""
    code = canvas._code
    code.append(f"q 1 0 0 1 {_n(boxes.offset)} {_n(boxes.offset)} cm")
    if proof:
        code.append(proof_drawing.underlay(proof, OVERPRINT))
    for rect in page.rects:
        code.append(_rect_operators(rect, page, press.bleed))
    used: dict[str, object] = {}
    for image in page.images:
        picture = cmyk_picture(image.path, profile, press.rendering_intent)
        used[picture.name] = pictures.setdefault(picture.name, picture)
        code.append(_image_operators(image, picture.name, page, press.bleed))
    for rule in page.rules:
        black = tuple(rule.cmyk) == BLACK
        code.append(("q " + OVERPRINT + " " if black else "") + _cmyk(rule.cmyk, "K") + f" {_n(rule.width)} w "
                    f"{_n(rule.x0)} {_n(rule.y0)} m {_n(rule.x1)} {_n(rule.y1)} l S" + (" Q" if black else ""))
    if page.stream:
        code.append(f"q {OVERPRINT} 0 0 0 1 k")
        code.append(_TEXT_HERE)  # the text objects' own stream (`_compress_contents`)
        code.append("Q")
    for m in page.markers:
        code.append(f"0 1 1 0 K .8 w {_n(m.x)} {_n(m.y)} {_n(m.w)} {_n(m.h)} re S")
    if proof:
        code.append(proof_drawing.overlay(proof, OVERPRINT, label_font, space))
    code.append("Q")
    return used


def _rect_operators(rect: Rect, page: EncodedPage, bleed: float) -> str:
    ops = []
    if rect.fill_cmyk is not None:
        x, y, w, h = _bled(rect.x, rect.y, rect.w, rect.h, page, bleed)
        black = tuple(rect.fill_cmyk) == BLACK
        ops.append(("q " + OVERPRINT + " " if black else "") + _cmyk(rect.fill_cmyk, "k")
                   + f" {_n(x)} {_n(y)} {_n(w)} {_n(h)} re f" + (" Q" if black else ""))
    if rect.stroke > 0:
        black = tuple(rect.stroke_cmyk) == BLACK
        ops.append(("q " + OVERPRINT + " " if black else "") + _cmyk(rect.stroke_cmyk, "K")
                   + f" {_n(rect.stroke)} w {_n(rect.x)} {_n(rect.y)} {_n(rect.w)} {_n(rect.h)} re S"
                   + (" Q" if black else ""))
    return "\n".join(ops)


def _image_operators(image: PlacedImage, name: str, page: EncodedPage, bleed: float) -> str:
    """Draw a picture in its frame, a cropped one (`PlacedImage.crop`) clipped to it; one that
    touches the trim fills its frame run on into the bleed, scaled up by as little as covers it
    (centred, clipped to the extended frame)."""
    x, y, w, h = _bled(image.x, image.y, image.w, image.h, page, bleed)
    cx, cy, cw, ch = image.crop or (image.x, image.y, image.w, image.h)
    if (x, y, w, h) == (cx, cy, cw, ch):
        return f"q {_n(w)} 0 0 {_n(h)} {_n(x)} {_n(y)} cm /{name} Do Q"
    dx, dy, dw, dh = cx, cy, cw, ch
    inside = (cx <= x + EPSILON and cy <= y + EPSILON and x + w <= cx + cw + EPSILON
              and y + h <= cy + ch + EPSILON)
    if not inside:  # the frame runs into the bleed beyond the crop: scale up to cover it
        scale = max(w / image.w, h / image.h)
        dw, dh = cw * scale, ch * scale
        dx = _anchored(x, w, dw, image.x <= TOUCHING, image.x + image.w >= page.width - TOUCHING)
        dy = _anchored(y, h, dh, image.y <= TOUCHING, image.y + image.h >= page.height - TOUCHING)
    return (f"q {_n(x)} {_n(y)} {_n(w)} {_n(h)} re W n "
            f"{_n(dw)} 0 0 {_n(dh)} {_n(dx)} {_n(dy)} cm /{name} Do Q")


def _anchored(start: float, length: float, drawn: float, low: bool, high: bool) -> float:
    """Where a picture scaled to ``drawn`` starts: the side that does not touch the trim keeps
    its edge (the crop falls in the bleed); centred when both or neither side touch."""
    if low and not high:
        return start + length - drawn
    if high and not low:
        return start
    return start + (length - drawn) / 2
