"""Proof overlays in the PDF (`paiban build --proof`): the shapes of `paiban.page.proof_overlay`
drawn as thin coloured lines with small labels, and each jump line made a link to its page.

The grid (columns, gutters, baselines) is drawn under the page's content, everything else over
it. Colours are process CMYK (`TONES`), never RGB, and overprint (``/GSop gs``), so a plate or a
soft proof of the separations shows the marks without holes knocked into the ink under them.
Labels are set in the document's own fonts (the face that has most of their characters; a
character no face has is left out), 4.5 pt.

A proof is **not for press**: the marks would print, and PDF/X allows no annotation inside the
BleedBox but trap networks and printer's marks (ISO 15930; preflight tools such as PitStop flag
any other), while the jump links lie on the text. So the PDF writer drops the PDF/X claim of a
proof (no ``GTS_PDFXVersion``, no XMP naming it; the output intent and CMYK stay) and names it
in the document information (``Keywords: proof, not for press``): `paiban preflight` says
"not PDF/X" of it, and finds nothing on its pages. The links carry no Print flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from paiban.page.proof_overlay import ProofShape
from paiban.render.cid_fonts import CidFont
from paiban.render.text_operators import CodeSpace, UnplannedCharacter

#: CMYK of each tone: info blue, ok green, warn orange, error red
TONES: Mapping[str, tuple[float, float, float, float]] = {
    "info": (0.8, 0.3, 0.0, 0.0), "ok": (0.75, 0.0, 1.0, 0.0),
    "warn": (0.0, 0.45, 1.0, 0.0), "error": (0.0, 1.0, 1.0, 0.0)}
GRID = (0.4, 0.0, 0.0, 0.0)  # the grid's lines: light cyan
GUTTER = (0.08, 0.0, 0.0, 0.0)  # a gutter's tint
LABEL_SIZE = 4.5  # pt
#: the shapes drawn under the page's content
UNDER = frozenset({"grid-column", "gutter", "grid-line"})
#: the kinds whose label is printed, and at most how many characters of it (an overset box's
#: count is in its region's label; its sentence, in the report, would cover the text beside it)
LABELLED = {"region": 60, "low-resolution": 30, "grid-column": 4, "grid-line": 4}
#: what the writer names links by: the bookmark of page N
PAGE_KEY = "page-{}"


def label_chars(shapes: Mapping[int, Sequence[ProofShape]]) -> set[str]:
    """The characters the labels draw (the label font must have them in its subset)."""
    return {c for page in shapes.values() for s in page for c in _label(s) if not c.isspace()}


def underlay(shapes: Sequence[ProofShape], overprint: str) -> str:
    """The grid's operators, in trim coordinates (drawn before the page's content)."""
    gutters = [f"{_rect(s)} re" for s in shapes if s.kind == "gutter"]
    lines = [f"{_n(s.x0)} {_n(s.y0)} m {_n(s.x1)} {_n(s.y1)} l" for s in shapes if s.kind == "grid-line"]
    columns = [f"{_rect(s)} re" for s in shapes if s.kind == "grid-column"]
    ops = [f"q {overprint}", _colour(GUTTER, "k"), _colour(GRID, "K")]
    for paths, paint in ((gutters, "f"), (lines, ".1 w S"), (columns, ".3 w S")):
        if paths:
            ops += [*paths, paint]
    ops.append("Q")
    return "\n".join(ops)


def overlay(shapes: Sequence[ProofShape], overprint: str, font: CidFont | None, space: CodeSpace) -> str:
    """The other shapes' operators and every label, in trim coordinates (drawn last)."""
    ops = [f"q {overprint} [] 0 d"]
    for s in shapes:
        if s.kind in UNDER:
            continue
        ops.append(_colour(TONES.get(s.tone, TONES["info"]), "K"))
        if s.kind == "region":
            ops.append(f".6 w {_rect(s)} re S")
        elif s.kind == "jump-link":
            ops.append(f".5 w [1.5 1] 0 d {_rect(s)} re S [] 0 d")
        elif s.kind == "low-resolution":
            ops.append(f".8 w {_rect(s)} re {_n(s.x0)} {_n(s.y0)} m {_n(s.x1)} {_n(s.y1)} l "
                       f"{_n(s.x0)} {_n(s.y1)} m {_n(s.x1)} {_n(s.y0)} l S")
        else:  # overset, missing-glyph
            ops.append(f".8 w {_rect(s)} re S")
    if font is not None:
        ops += [_label_operators(s, font, space) for s in shapes if s.kind in LABELLED and s.label]
    ops.append("Q")
    return "\n".join(op for op in ops if op)


def links(canvas, shapes: Sequence[ProofShape], offset: float, pages: Iterable[int]) -> None:
    """A link annotation on each jump line to the page it names (when that page is in the PDF);
    `offset` is where the trim lies in the MediaBox."""
    present = set(pages)
    for s in shapes:
        if s.kind == "jump-link" and s.target_page in present:
            canvas.linkAbsolute(s.label, PAGE_KEY.format(s.target_page),
                                Rect=(s.x0 + offset, s.y0 + offset, s.x1 + offset, s.y1 + offset), thickness=0)


def _label(s: ProofShape) -> str:
    limit = LABELLED.get(s.kind, 0)
    return s.label[:limit] if limit else ""


def _label_operators(s: ProofShape, font: CidFont, space: CodeSpace) -> str:
    """The label on a white ground: regions' and pictures' at their foot (in the space under
    the last line), the grid's numbers outside the type area."""
    text = _label(s)
    codes = _codes(text, font, space)
    if not codes:
        return ""
    size = LABEL_SIZE
    width = sum(size if ord(c) > 0x2E7F else size * 0.55 for c in text)
    if s.kind == "grid-column":
        x, y = s.x0, s.y1 + 1.5
    elif s.kind == "grid-line":
        x, y = s.x0 - width - 2, s.y0 - size * 0.35
    else:
        x, y = s.x0 + 1, s.y0 + 1.2
    colour = GRID if s.kind in UNDER else TONES.get(s.tone, TONES["info"])
    ground = f"0 0 0 0 k {_n(x - 0.5)} {_n(y - 1.2)} {_n(width + 1)} {_n(size + 1)} re f " if s.kind not in UNDER else ""
    return (f"{ground}{_colour(colour, 'k')} BT {font.resource} {_n(size)} Tf 1 0 0 1 {_n(x)} {_n(y)} Tm "
            f"[{codes}] TJ ET")


def _codes(text: str, font: CidFont, space: CodeSpace) -> str:
    """The label as a TJ array's contents: two-byte codes, a third of an em for a space, and
    nothing for what the font cannot draw."""
    drawable = {cid for cid, _ in font.parts.codes}
    out, run = [], []
    for char in text:
        if char.isspace():
            out += [f"<{''.join(run)}>", "-330"] if run else ["-330"]
            run = []
            continue
        try:
            cid = space.cid(char)
        except UnplannedCharacter:
            continue
        if cid in drawable:
            run.append(f"{cid:04X}")
    if run:
        out.append(f"<{''.join(run)}>")
    return " ".join(out) if any(part.startswith("<") for part in out) else ""


def _rect(s: ProofShape) -> str:
    return f"{_n(s.x0)} {_n(s.y0)} {_n(s.x1 - s.x0)} {_n(s.y1 - s.y0)}"


def _colour(cmyk: tuple[float, float, float, float], op: str) -> str:
    return " ".join(_n(v) for v in cmyk) + " " + op


def _n(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") or "0"
