"""What makes a PDF a press PDF: PDF/X keys, output intent, page boxes, printer's marks, slug.

The layout's `paiban.model.spec.Press` settings (``press:`` in a layout or an edition file;
docs/print.md) become, for the PDF writer (`paiban.render.pdf_writer`):

* **PDF/X version keys** (ISO 15930): ``x-4`` (default) writes PDF 1.6 with ``GTS_PDFXVersion
  (PDF/X-4)`` in the document information and ``pdfxid:GTS_PDFXVersion`` in the XMP metadata;
  ``x-1a`` writes PDF 1.3 with ``GTS_PDFXVersion (PDF/X-1:2001)`` and ``GTS_PDFXConformance
  (PDF/X-1a:2001)``, the keys older plants' preflight looks for. Neither uses transparency.
* **XMP metadata** (`xmp_packet`): title, producer, dates, ``pdf:Trapped False``, the PDF/X
  version, and the document and version ids X-4 asks for. Deterministic: the dates are those of
  the document information, reportlab's invariant date (2000-01-01) unless ``SOURCE_DATE_EPOCH``
  sets another, and the document id is derived from the title and the pages' content.
* **Output intent** (`icc_profile`; the dictionary is written by the PDF writer): ``/S /GTS_PDFX`` with the printing condition's ICC
  profile embedded (``DestOutputProfile``) and its identifier. The profile is compressed (zlib
  level 9, ~8 ms) and described (Pillow's ImageCms) once per machine: kept in the font cache
  (``profiles/``, a binary entry of `paiban.fonts.disk_cache` keyed by the profile's SHA-256), and
  per process. The
  default profile is Ghostscript's ``default_cmyk.icc`` (Debian ``libgs-common``): see
  docs/print.md for why, and how a plant sets its own.
* **Page boxes** (`PageBoxes`): ``TrimBox`` is the page as designed, ``BleedBox`` the bleed
  beyond it on every side, ``MediaBox`` (= ``CropBox``) large enough for the marks. The page's
  own drawing is shifted by the margin so that every box has positive coordinates.
* **Printer's marks** (`marks_operators`): crop marks at the trim corners starting beyond the
  bleed, registration targets centred on the four sides, all in registration colour (100 % of
  every plate, so each plate shows them), and the slug line below the bleed: paper, date, page,
  edition, build time (written by the PDF writer with the document's own font) next to four
  patches C, M, Y and K, so that a plate shows which one it is. ``press.marks: false`` (or
  ``paiban build --no-marks``) leaves them out for proofs: MediaBox = BleedBox.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from paiban.errors import PaibanError
from paiban.fonts.disk_cache import read_binary_entry, write_binary_entry
from paiban.model.spec import Press

__all__ = ["DEFAULT_PROFILE", "OutputProfile", "PageBoxes", "content_id", "default_profile", "icc_profile",
           "marks_operators", "page_boxes", "pdf_version", "slug_origin", "version_keys", "xmp_packet"]

#: the default output profile: Ghostscript's CMYK profile (Debian package libgs-common);
#: ``$PAIBAN_CMYK_PROFILE`` names another file (tasks.sh unpacks the package there without root)
DEFAULT_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
MM = 72 / 25.4
#: the marks' zone beyond the bleed: crop marks, registration targets, slug
MARKS_ZONE = 12 * MM
CROP_MARK = 6 * MM  # length of a crop mark
MARK_LINE = 0.25  # pt
TARGET_RADIUS = 2.5 * MM
SLUG_SIZE = 6.0  # pt
PATCH = 4 * MM


class OutputProfile(NamedTuple):
    """An output profile as a PDF embeds it, read once per process (`icc_profile`)."""

    data: bytes
    compressed: bytes  # zlib level 9: the output intent's stream
    description: str
    digest: str  # SHA-256 of `compressed`, for the XMP document id


_profiles: dict[tuple, OutputProfile] = {}
_profiles_lock = threading.Lock()


@dataclass(frozen=True)
class PageBoxes:
    """A page's boxes in PDF points: the trim (the page as designed) shifted by `offset`."""

    width: float  # trim
    height: float
    bleed: float
    offset: float  # the trim's lower-left corner in the MediaBox

    @property
    def media(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width + 2 * self.offset, self.height + 2 * self.offset)

    @property
    def trim(self) -> tuple[float, float, float, float]:
        o = self.offset
        return (o, o, o + self.width, o + self.height)

    @property
    def bleed_box(self) -> tuple[float, float, float, float]:
        o, b = self.offset, self.bleed
        return (o - b, o - b, o + self.width + b, o + self.height + b)


def page_boxes(width: float, height: float, press: Press) -> PageBoxes:
    """The boxes of a page of ``width`` × ``height`` pt with ``press``'s bleed and marks."""
    return PageBoxes(width, height, press.bleed, press.bleed + (MARKS_ZONE if press.marks else 0.0))


def pdf_version(press: Press) -> tuple[int, int]:
    return (1, 3) if press.pdfx == "x-1a" else (1, 6)


def version_keys(press: Press) -> dict[str, str]:
    """The document information's PDF/X keys."""
    if press.pdfx == "x-1a":
        return {"GTS_PDFXVersion": "PDF/X-1:2001", "GTS_PDFXConformance": "PDF/X-1a:2001"}
    return {"GTS_PDFXVersion": "PDF/X-4"}


def icc_profile(press: Press) -> OutputProfile:
    """The `OutputProfile` of the output profile, read, compressed and digested once per process
    for a file version."""
    path = press.profile if press.profile is not None else default_profile()
    try:
        st = os.stat(path)
    except OSError:
        raise PaibanError(f"the output profile {path} cannot be read"
                          + ("; install Debian's libgs-common, or set press.profile in the layout"
                             if press.profile is None else "")) from None
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
    with _profiles_lock:
        hit = _profiles.get(key)
    if hit is None:
        data = Path(path).read_bytes()
        if data[16:20] != b"CMYK":
            raise PaibanError(f"the output profile {path} is not a CMYK profile")
        compressed, description = _compressed_profile(data)
        hit = OutputProfile(data, compressed, description or Path(path).stem,
                            hashlib.sha256(compressed).hexdigest())
        with _profiles_lock:
            _profiles[key] = hit
    return hit


def _compressed_profile(data: bytes) -> tuple[bytes, str]:
    """The profile compressed and its description (empty if it has none): from the font cache
    (kind ``profiles``), else made and stored there."""
    key = f"profile|{hashlib.sha256(data).hexdigest()}"
    stored = read_binary_entry("profiles", key)
    if stored is not None and isinstance(stored[0], dict) and isinstance(stored[0].get("description"), str):
        return stored[1], stored[0]["description"]
    compressed, description = zlib.compress(data, 9), _description(data)
    write_binary_entry("profiles", key, {"description": description}, compressed)
    return compressed, description


def default_profile() -> Path:
    """The output profile when the layout names none (`DEFAULT_PROFILE`, or $PAIBAN_CMYK_PROFILE)."""
    return Path(os.environ.get("PAIBAN_CMYK_PROFILE") or DEFAULT_PROFILE)


def _description(data: bytes) -> str:
    from io import BytesIO

    from PIL import ImageCms

    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(BytesIO(data))).strip()
    except (OSError, ImageCms.PyCMSError):
        return ""


def _escape(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` as XML entities (what ``xml.sax.saxutils.escape`` does,
    without its import of ``urllib.request``, ~7 ms in every render worker)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _xmp_date(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def xmp_packet(title: str, press: Press, ts: float, content_id: str) -> bytes:
    """The XMP metadata of a document (ISO 16684-1), UTF-8, as ISO 15930 asks for it."""
    doc_id = uuid.uuid5(uuid.NAMESPACE_URL, f"paiban:{content_id}")
    date = _xmp_date(ts)
    version = version_keys(press)
    conformance = (f"\n   <pdfxid:GTS_PDFXVersion>{version['GTS_PDFXVersion']}</pdfxid:GTS_PDFXVersion>"
                   if press.pdfx == "x-4" else
                   f"\n   <pdfx:GTS_PDFXVersion>{version['GTS_PDFXVersion']}</pdfx:GTS_PDFXVersion>"
                   f"\n   <pdfx:GTS_PDFXConformance>{version['GTS_PDFXConformance']}</pdfx:GTS_PDFXConformance>")
    text = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_escape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>paiban</rdf:li></rdf:Seq></dc:creator>
   <xmp:CreatorTool>paiban</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <pdf:Producer>ReportLab PDF Library - (opensource)</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>uuid:{doc_id}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:{doc_id}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>{conformance}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""
    return text.encode("utf-8")


def content_id(title: str, parts: list[str | bytes]) -> str:
    """A digest of what a document draws, for its XMP document id (`parts`: its pages' text
    streams, `EncodedPage.stream`, and its settings)."""
    h = hashlib.sha256(title.encode("utf-8"))
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _n(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=16)
def marks_operators(boxes: PageBoxes) -> str:
    """Crop marks, registration targets and the slug's colour patches, in page space (the trim's
    lower-left corner at ``boxes.offset``); made once per process for a page size and bleed."""
    o, b, w, h = boxes.offset, boxes.bleed, boxes.width, boxes.height
    gap = b + 1 * MM  # a crop mark starts beyond the bleed
    ops = ["q", f"{MARK_LINE} w", "1 1 1 1 K", "1 1 1 1 k"]
    for x, dx in ((o, -1), (o + w, 1)):
        for y, dy in ((o, -1), (o + h, 1)):
            ops.append(f"{_n(x + dx * gap)} {_n(y)} m {_n(x + dx * (gap + CROP_MARK))} {_n(y)} l S")
            ops.append(f"{_n(x)} {_n(y + dy * gap)} m {_n(x)} {_n(y + dy * (gap + CROP_MARK))} l S")
    away = b + MARKS_ZONE / 2  # targets in the middle of the marks' zone
    for cx, cy in ((o + w / 2, o - away), (o + w / 2, o + h + away), (o - away, o + h / 2), (o + w + away, o + h / 2)):
        ops.append(_target(cx, cy))
    px = o + w - 4 * (PATCH + 1 * MM) - 4 * MM  # clear of the crop mark at the trim's corner
    py = o - b - 1.5 * MM - PATCH
    for i, cmyk in enumerate(("1 0 0 0", "0 1 0 0", "0 0 1 0", "0 0 0 1")):
        ops.append(f"{cmyk} k {_n(px + i * (PATCH + 1 * MM))} {_n(py)} {_n(PATCH)} {_n(PATCH)} re f")
    ops.append("Q")
    return "\n".join(ops)


def _target(cx: float, cy: float) -> str:
    """A registration target: a circle (four Bézier arcs) and a cross through it."""
    r, k = TARGET_RADIUS, 0.5523 * TARGET_RADIUS
    circle = (f"{_n(cx + r)} {_n(cy)} m "
              f"{_n(cx + r)} {_n(cy + k)} {_n(cx + k)} {_n(cy + r)} {_n(cx)} {_n(cy + r)} c "
              f"{_n(cx - k)} {_n(cy + r)} {_n(cx - r)} {_n(cy + k)} {_n(cx - r)} {_n(cy)} c "
              f"{_n(cx - r)} {_n(cy - k)} {_n(cx - k)} {_n(cy - r)} {_n(cx)} {_n(cy - r)} c "
              f"{_n(cx + k)} {_n(cy - r)} {_n(cx + r)} {_n(cy - k)} {_n(cx + r)} {_n(cy)} c S")
    arm = r * 1.6
    cross = (f"{_n(cx - arm)} {_n(cy)} m {_n(cx + arm)} {_n(cy)} l S "
             f"{_n(cx)} {_n(cy - arm)} m {_n(cx)} {_n(cy + arm)} l S")
    return circle + "\n" + cross


def slug_origin(boxes: PageBoxes) -> tuple[float, float]:
    """Where the slug line's text starts (baseline), below the bleed at the left."""
    return boxes.offset + 3 * MM, boxes.offset - boxes.bleed - 1.5 * MM - SLUG_SIZE * 0.8  # clear of the crop mark
