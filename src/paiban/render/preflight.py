"""`paiban preflight FILE.pdf`: what a printing plant's preflight checks, on any PDF.

The rules are those paiban's own output keeps (docs/print.md, `paiban.render.press`); each
finding is one line, and a file passes when there are none:

* **PDF/X**: ``GTS_PDFXVersion`` in the document information; an output intent ``/GTS_PDFX``
  with an embedded CMYK ICC profile (``DestOutputProfile``, N 4); ``Trapped`` True or False;
  for PDF/X-4 the XMP metadata naming the version; for PDF/X-1a no transparency (soft masks,
  constant alpha, blend modes) and a PDF version of at most 1.4.
* **Boxes**: every page has a TrimBox and a BleedBox at least `MIN_BLEED_MM` beyond it, inside the
  MediaBox.
* **Colour**: no RGB anywhere: DeviceRGB, CalRGB or a three-component ICC colour space in a
  page's or a form's resources, an image (an indexed one's base too) or a content stream
  operator (``rg``, ``RG``, an RGB space set with ``cs``/``CS``).
* **Fonts**: every font embedded (a Type 0 font's descendant included; Type 3 fonts are their
  own drawings).
* **Black**: text shown in 100 % black (``0 0 0 1 k`` or ``0 g``) overprints (``op`` true with
  ``OPM 1``), and is not rich black (K 100 % with C, M or Y; 100 % of all four is registration
  colour, the printer's marks'); black strokes (rules) overprint.
* **Pictures**: each image drawn at an effective resolution of at least ``min_dpi`` (default
  150, the layout's ``preflight.min_dpi``).

`check_pdf` reads with pikepdf (qpdf); content streams are followed into form XObjects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from paiban.i18n import N_, _

__all__ = ["MIN_BLEED_MM", "Finding", "check_pdf"]

MIN_BLEED_MM = 3.0
_MM = 72 / 25.4
_TOLERANCE = 0.01  # pt
_TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
_STROKING = {"S", "s", "B", "B*", "b", "b*"}
_RGB_NAMES = {"/DeviceRGB", "/CalRGB", "/RGB"}


@dataclass(frozen=True)
class Finding:
    """One problem: the page it is on (0: the document) and what it is."""

    page: int
    message: str

    def __str__(self) -> str:
        return _("page {page}: {problem}").format(page=self.page, problem=self.message) if self.page else self.message


def check_pdf(path: Path, min_dpi: float = 150.0) -> list[Finding]:
    """The findings for the PDF at ``path`` (empty: it passes). A file that is not a PDF is one
    finding."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        return [Finding(0, _("cannot read the PDF: {detail}").format(detail=' '.join(str(exc).split())))]
    with pdf:
        findings = _document(pdf)
        x1a = _pdfx_version(pdf).startswith("PDF/X-1")
        for number, page in enumerate(pdf.pages, 1):
            findings += [Finding(number, m) for m in _page(pdf, page, min_dpi, x1a)]
    return findings


def _pdfx_version(pdf) -> str:
    info = pdf.trailer.get("/Info")
    value = info.get("/GTS_PDFXVersion") if info is not None else None
    return str(value) if value is not None else ""


def _document(pdf) -> list[Finding]:
    out: list[str] = []
    version = _pdfx_version(pdf)
    if not version:
        out.append(_("not PDF/X: no GTS_PDFXVersion in the document information"))
    info = pdf.trailer.get("/Info")
    trapped = info.get("/Trapped") if info is not None else None
    if str(trapped) not in ("/True", "/False"):
        out.append(_("Trapped is not set to True or False"))
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if not intents:
        out.append(_("no PDF/X output intent (/OutputIntents with /S /GTS_PDFX)"))
    for intent in intents:
        profile = intent.get("/DestOutputProfile")
        if profile is None:
            out.append(_("the output intent has no embedded ICC profile (DestOutputProfile)"))
        elif int(profile.get("/N", 0)) != 4:
            out.append(_("the output intent's ICC profile has {count} components, not 4 (CMYK)").format(
                count=profile.get('/N')))
    if version.startswith("PDF/X-4"):
        metadata = pdf.Root.get("/Metadata")
        if metadata is None or b"GTS_PDFXVersion" not in metadata.read_bytes():
            out.append(_("PDF/X-4 without XMP metadata naming the version (pdfxid:GTS_PDFXVersion)"))
    if version.startswith("PDF/X-1") and pdf.pdf_version > "1.4":
        out.append(_("PDF/X-1a in a PDF {version} file (at most 1.4)").format(version=pdf.pdf_version))
    return [Finding(0, m) for m in out]


@dataclass
class _State:
    """The graphics state the checks need."""

    ctm: tuple[float, ...] = (1, 0, 0, 1, 0, 0)
    fill: tuple[float, ...] | None = None
    stroke: tuple[float, ...] | None = None
    fill_space: str = "/DeviceGray"
    stroke_space: str = "/DeviceGray"
    op: bool = False
    OP: bool = False
    opm: int = 0

    def copy(self) -> "_State":
        return _State(**self.__dict__)


@dataclass
class _PageCheck:
    pdf: object
    min_dpi: float
    x1a: bool
    found: list[str] = field(default_factory=list)
    seen_forms: set = field(default_factory=set)

    def note(self, message: str) -> None:
        if message not in self.found:
            self.found.append(message)


def _page(pdf, page, min_dpi: float, x1a: bool) -> list[str]:
    check = _PageCheck(pdf, min_dpi, x1a)
    obj = page.obj
    trim, bleed, media = (_box(obj, key) for key in ("/TrimBox", "/BleedBox", "/MediaBox"))
    if trim is None:
        check.note(_("no TrimBox"))
    if bleed is None:
        check.note(_("no BleedBox"))
    if trim is not None and bleed is not None:
        least = min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
        if least < MIN_BLEED_MM * _MM - _TOLERANCE:
            check.note(_("the BleedBox is {bleed:.1f} mm beyond the TrimBox, less than {minimum:g} mm").format(
                bleed=least / _MM, minimum=MIN_BLEED_MM))
    if media is not None and bleed is not None and not _inside(bleed, media):
        check.note(_("the BleedBox is not inside the MediaBox"))
    _resources(check, obj.get("/Resources"))
    _content(check, page, obj.get("/Resources"), _State())
    return check.found


def _box(obj, key: str) -> tuple[float, ...] | None:
    box = obj.get(key)
    if box is None and key == "/MediaBox":
        parent = obj.get("/Parent")
        while box is None and parent is not None:
            box = parent.get(key)
            parent = parent.get("/Parent")
    if box is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - _TOLERANCE and inner[1] >= outer[1] - _TOLERANCE
            and inner[2] <= outer[2] + _TOLERANCE and inner[3] <= outer[3] + _TOLERANCE)


def _is_rgb(space) -> bool:
    """A colour space (name or array) that is RGB, or whose base or alternate is."""
    import pikepdf

    if space is None:
        return False
    if isinstance(space, pikepdf.Name):
        return str(space) in _RGB_NAMES
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        kind = str(space[0])
        if kind == "/ICCBased":
            stream = space[1]
            return int(stream.get("/N", 0)) == 3
        if kind in _RGB_NAMES:
            return True
        if kind == "/Indexed":
            return _is_rgb(space[1])
        if kind in ("/Separation", "/DeviceN"):
            return _is_rgb(space[2])
    return False


def _resources(check: _PageCheck, resources) -> None:
    """Colour spaces, images, fonts and graphics states of a resource dictionary (and its forms)."""
    if resources is None:
        return
    for name, space in (resources.get("/ColorSpace") or {}).items():
        if _is_rgb(space):
            check.note(_("an RGB colour space ({name})").format(name=name))
    for name, xobject in (resources.get("/XObject") or {}).items():
        kind = xobject.get("/Subtype")
        if kind == "/Image":
            if xobject.get("/ImageMask") is not True and _is_rgb(xobject.get("/ColorSpace")):
                check.note(_("an RGB image ({name})").format(name=name))
            if check.x1a and xobject.get("/SMask") is not None:
                check.note(_("transparency in PDF/X-1a: an image with a soft mask ({name})").format(name=name))
        elif kind == "/Form" and xobject.objgen not in check.seen_forms:
            check.seen_forms.add(xobject.objgen)
            if check.x1a and xobject.get("/Group") is not None:
                check.note(_("transparency in PDF/X-1a: a transparency group ({name})").format(name=name))
            _resources(check, xobject.get("/Resources"))
    for name, font in (resources.get("/Font") or {}).items():
        if not _embedded(font):
            check.note(_("font {font} is not embedded").format(font=font.get('/BaseFont', name)))
    if check.x1a:
        for name, state in (resources.get("/ExtGState") or {}).items():
            if (state.get("/SMask") not in (None, "/None") or float(state.get("/ca", 1)) < 1
                    or float(state.get("/CA", 1)) < 1 or str(state.get("/BM", "/Normal")) not in ("/Normal", "/Compatible")):
                check.note(_("transparency in PDF/X-1a: graphics state {name}").format(name=name))


def _embedded(font) -> bool:
    kind = font.get("/Subtype")
    if kind == "/Type3":
        return True
    if kind == "/Type0":
        return all(_embedded(d) for d in font.get("/DescendantFonts", []))
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _multiply(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix a × b (a applied first)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


_SPACE_COMPONENTS = {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4}


def _content(check: _PageCheck, holder, resources, state: _State, depth: int = 0) -> None:
    """Follow a content stream's operators: colours, overprint, images drawn."""
    import pikepdf

    if depth > 8:
        return
    try:
        instructions = pikepdf.parse_content_stream(holder)
    except pikepdf.PdfError as exc:
        check.note(_("a content stream cannot be read: {detail}").format(detail=exc))
        return
    states = (resources.get("/ExtGState") if resources is not None else None) or {}
    spaces = (resources.get("/ColorSpace") if resources is not None else None) or {}
    xobjects = (resources.get("/XObject") if resources is not None else None) or {}
    stack: list[_State] = []
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            image = instruction.iimage
            if _is_rgb(image.obj.get("/ColorSpace", image.obj.get("/CS"))) or str(
                    image.obj.get("/CS", "")) == "/RGB":
                check.note(_("an RGB inline image"))
            continue
        operands, op = instruction.operands, str(instruction.operator)
        if op == "q":
            stack.append(state.copy())
        elif op == "Q":
            state = stack.pop() if stack else state
        elif op == "cm":
            state.ctm = _multiply(tuple(float(v) for v in operands), state.ctm)
        elif op in ("rg", "RG"):
            check.note(_("an RGB colour in a content stream (rg/RG)"))
        elif op in ("k", "K", "g", "G"):
            values = tuple(float(v) for v in operands)
            cmyk = values if len(values) == 4 else (0.0, 0.0, 0.0, 1.0 - values[0])
            if op in ("k", "g"):
                state.fill, state.fill_space = cmyk, "/DeviceCMYK"
            else:
                state.stroke, state.stroke_space = cmyk, "/DeviceCMYK"
        elif op in ("cs", "CS"):
            name = operands[0]
            space = spaces.get(name, name) if str(name) not in _SPACE_COMPONENTS else name
            if _is_rgb(space):
                check.note(_("an RGB colour space set in a content stream ({name})").format(name=name))
            if op == "cs":
                state.fill, state.fill_space = None, str(name)
            else:
                state.stroke, state.stroke_space = None, str(name)
        elif op in ("sc", "scn", "SC", "SCN"):
            values = tuple(float(v) for v in operands if not isinstance(v, pikepdf.Name))
            space = state.fill_space if op in ("sc", "scn") else state.stroke_space
            colour = values if space == "/DeviceCMYK" and len(values) == 4 else None
            if op in ("sc", "scn"):
                state.fill = colour
            else:
                state.stroke = colour
        elif op == "gs":
            gstate = states.get(operands[0])
            if gstate is not None:
                state.op = bool(gstate.get("/op", gstate.get("/OP", state.op)))
                state.OP = bool(gstate.get("/OP", state.OP))
                state.opm = int(gstate.get("/OPM", state.opm))
        elif op in _TEXT_SHOWING:
            _black(check, state.fill, state.op and state.opm == 1, N_("text"))
        elif op in _STROKING:
            _black(check, state.stroke, state.OP and state.opm == 1, N_("stroke (rule)"), rich=False)
        elif op == "Do":
            xobject = xobjects.get(operands[0])
            if xobject is None:
                continue
            if xobject.get("/Subtype") == "/Image" and xobject.get("/ImageMask") is not True:
                _resolution(check, xobject, state.ctm, str(operands[0]))
            elif xobject.get("/Subtype") == "/Form":
                inner = state.copy()
                matrix = xobject.get("/Matrix")
                if matrix is not None:
                    inner.ctm = _multiply(tuple(float(v) for v in matrix), inner.ctm)
                _content(check, xobject, xobject.get("/Resources", resources), inner, depth + 1)


def _black(check: _PageCheck, colour, overprints: bool, what: str, rich: bool = True) -> None:
    if colour is None or len(colour) != 4 or colour[3] < 0.999 or min(colour) >= 0.999:
        return  # not black; or registration colour (every plate: printer's marks)
    if any(v > 0.001 for v in colour[:3]):
        if rich:
            check.note(_("rich black {what} (K 100 % with C, M or Y)").format(what=_(what)))
        return
    if not overprints:
        check.note(_("black {what} does not overprint (needs op/OP true and OPM 1)").format(what=_(what)))


def _resolution(check: _PageCheck, image, ctm: tuple[float, ...], name: str) -> None:
    width_pt = (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5
    height_pt = (ctm[2] ** 2 + ctm[3] ** 2) ** 0.5
    if width_pt <= 0 or height_pt <= 0:
        return
    dpi = min(int(image.get("/Width", 0)) / (width_pt / 72), int(image.get("/Height", 0)) / (height_pt / 72))
    if dpi < check.min_dpi - 0.5:
        check.note(_("image {name} at {dpi:.0f} dpi, below {min_dpi:g}").format(
            name=name, dpi=dpi, min_dpi=check.min_dpi))
