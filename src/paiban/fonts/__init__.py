"""Fonts: finding them, measuring them, and handing them to the PDF writer.

- `faces`: `FontFace`, one face of one font file.
- `discovery`: finding font files ($PAIBAN_FONT_PATH, fontconfig, standard dirs), opening faces.
- `metrics`: per-character coverage, advance and ink extent with fontTools (`load_metrics`).
- `registry`: `FontRegistry`, roles (song, hei, kai, ...) as fallback chains of faces.
- `coverage`: which face draws a character in a role (primary, fallback, missing); set coverage.
- `charsets`: GB 2312 and 通用规范汉字表 reference sets; emoji and private use (never drawn).
- `disk_cache`: what is read from font files (face names, metrics) and the font programs the PDF
  writer embeds, kept on disk per file version, so a build whose fonts have not changed does not
  import fontTools.

This package never imports reportlab: the PDF writer (`paiban.render`) embeds the faces itself.
"""

from paiban.fonts.discovery import find_face_index, find_font_file, open_face
from paiban.fonts.faces import FontFace
from paiban.fonts.metrics import FaceMetrics, load_metrics
from paiban.fonts.registry import FontRegistry, UnknownRole

__all__ = [
    "FaceMetrics",
    "FontFace",
    "FontRegistry",
    "UnknownRole",
    "find_face_index",
    "find_font_file",
    "load_metrics",
    "open_face",
]
