"""`FontFace`: one face of one font file, the unit every other part of paiban.fonts works with.

A face is named by its file and its index inside the file (a TrueType/OpenType collection, `.ttc`,
holds several faces; a plain `.ttf`/`.otf` has index 0). Reading the file to fill in the family
name and outline kind is done by `paiban.fonts.discovery.open_face`; this module holds only the
data and the rule that turns a face into a short ASCII `key` (it names the face's PDF font resource).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FontFace", "face_key"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class FontFace:
    """One face of a font file.

    ``path`` is absolute; ``index`` is the face index in a collection (0 for a plain font);
    ``family`` comes from the font's name table (name ID 1, e.g. ``"Noto Serif CJK SC"``);
    ``outlines`` is ``"glyf"`` (TrueType, embedded as ``FontFile2``) or ``"CFF"`` (PostScript
    outlines, e.g. Noto CJK, embedded as they are: ``FontFile3``/``CIDFontType0C``); ``key`` is a stable short
    ASCII id without spaces, e.g. ``"NotoSerifCJK-Regular-2"``.
    """

    path: Path
    index: int
    family: str
    outlines: str
    key: str

    @property
    def is_cff(self) -> bool:
        """True if the outlines are PostScript (CFF): embedded as a CIDFontType0C subset."""
        return self.outlines == "CFF"

    def __str__(self) -> str:
        return f"{self.family} ({self.path.name}#{self.index})"


def face_key(path: Path, index: int) -> str:
    """The stable short id of face ``index`` of ``path``: ``<file stem>-<index>``.

    Only ``[A-Za-z0-9_.-]`` are kept; when the stem had other characters (a Chinese file name,
    spaces) they become ``_`` and a 6-hex-digit hash of the original stem is appended, so two
    different non-ASCII names do not collide. The key depends on the file name only, not on its
    directory, so it is the same on every machine.
    """
    stem = Path(path).stem
    safe = _UNSAFE.sub("_", stem).strip("_.") or "font"
    if safe != stem:
        safe += "_" + hashlib.sha256(stem.encode("utf-8")).hexdigest()[:6]
    return f"{safe}-{int(index)}"
