"""CFF -> TrueType conversion of font subsets, and the content-addressed cache that keeps them.

reportlab draws only TrueType (glyf) outlines; Noto CJK has CFF outlines. Converting a whole
Noto CJK face takes ~80 s, so we first subset the face to the characters a job draws
(`fontTools.subset`, no layout features, keeping .notdef with its box) and convert only that
(~1 s for a page's 600 characters), following fontTools' ``Snippets/otf2ttf.py``: Cu2QuPen +
TTGlyphPen, max error 1 font unit, reversed contour direction, ``post`` format 3.

Cache: ``<cache_dir>/converted/<key>.ttf`` where ``key`` is the sha256 of the font file's bytes
(hashed once per process per file version), the face index, the sorted characters, the converter
version and the fontTools version. Same inputs -> same file name and same bytes (head.modified is
kept at the source's value, not "now"). Entries are written to a temporary file in the same
directory and moved into place with ``os.replace``, so two processes converting the same subset
at once both succeed and leave one entry. `prune` trims the cache by age.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "CONVERTER_VERSION",
    "cache_key",
    "convert_subset",
    "converted_font",
    "default_cache_dir",
    "file_digest",
    "prune",
    "subset_to_ttf_bytes",
]

CONVERTER_VERSION = "paiban-otf2ttf-1"
MAX_ERR = 1.0  # font units
REVERSE_DIRECTION = True
POST_FORMAT = 3.0

_digest_lock = threading.Lock()
_digests: dict[tuple[str, int, int], str] = {}


def default_cache_dir() -> Path:
    """``$PAIBAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/paiban``, else ``~/.cache/paiban``."""
    env = os.environ.get("PAIBAN_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "paiban"
    return Path.home() / ".cache" / "paiban"


def file_digest(path: Path) -> str:
    """sha256 hex digest of the file's bytes; computed once per process per (path, mtime, size)."""
    path = Path(path)
    st = path.stat()
    key = (str(path.absolute()), st.st_mtime_ns, st.st_size)
    with _digest_lock:
        hit = _digests.get(key)
    if hit is not None:
        return hit
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    with _digest_lock:
        _digests[key] = digest
    return digest


def _fonttools_version() -> str:
    import fontTools

    return str(getattr(fontTools, "version", "?"))


def cache_key(path: Path, index: int, chars: Iterable[str]) -> str:
    """The content address of the converted subset of face ``index`` of ``path`` to ``chars``."""
    text = "".join(sorted(set(chars)))
    h = hashlib.sha256()
    for part in (CONVERTER_VERSION, _fonttools_version(), file_digest(path), str(int(index)), text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _glyphs_to_quadratic(glyph_set: Any) -> dict[str, Any]:
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    quad: dict[str, Any] = {}
    for name in glyph_set.keys():
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, MAX_ERR, reverse_direction=REVERSE_DIRECTION))
        quad[name] = tt_pen.glyph()
    return quad


def _otf_to_ttf(font: Any) -> None:
    """Replace the CFF outlines of ``font`` (a fontTools TTFont) by TrueType ones, in place."""
    from fontTools.ttLib import newTable

    glyph_order = font.getGlyphOrder()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = _glyphs_to_quadratic(font.getGlyphSet())
    for tag in ("CFF ", "CFF2", "VORG", "fvar", "avar", "HVAR", "VVAR", "MVAR", "STAT"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = max(
        (len(getattr(g, "components", None) or []) for g in glyf.glyphs.values()), default=0
    )
    maxp.compile(font)
    post = font["post"]
    post.formatType = POST_FORMAT
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\000\001\000\000"


def subset_to_ttf_bytes(path: Path, index: int, chars: Iterable[str]) -> bytes:
    """Subset face ``index`` of ``path`` to ``chars`` and return it as TrueType (glyf) bytes.

    Works for CFF and glyf sources alike (a glyf source is only subset). Deterministic: the same
    inputs give the same bytes.
    """
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    text = "".join(sorted(set(chars)))
    options = subset.Options()
    options.layout_features = []
    options.notdef_glyph = True
    options.notdef_outline = True  # a missing character shows a box, not nothing
    options.hinting = False
    options.desubroutinize = True
    options.recalc_timestamp = False
    options.recalc_bounds = False
    options.glyph_names = False
    options.ignore_missing_unicodes = True
    font = TTFont(str(path), fontNumber=int(index), lazy=True, recalcTimestamp=False)
    try:
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        if "CFF " in font or "CFF2" in font:
            _otf_to_ttf(font)
        font.recalcTimestamp = False
        buf = io.BytesIO()
        font.save(buf)
    finally:
        font.close()
    return buf.getvalue()


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".ttf")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def converted_font(path: Path, index: int, chars: Iterable[str], cache_dir: Path) -> tuple[Path, str]:
    """The cached TrueType subset of face ``index`` of ``path`` for ``chars``: ``(file, key)``.

    Converts and stores it on a cache miss; on a hit only touches the file's mtime (so `prune`
    removes the least recently used entries first).
    """
    text = "".join(sorted(set(chars)))  # chars may be a one-shot iterator
    key = cache_key(path, index, text)
    target = Path(cache_dir) / "converted" / f"{key}.ttf"
    if target.is_file() and target.stat().st_size > 0:
        try:
            os.utime(target)
        except OSError:
            pass  # a read-only cache is still usable
        return target, key
    data = subset_to_ttf_bytes(path, index, text)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(target, data)
    return target, key


def convert_subset(path: Path, index: int, chars: Iterable[str], cache_dir: Path | None = None) -> Path:
    """Like `converted_font` but returns only the file; ``cache_dir`` None -> `default_cache_dir`."""
    return converted_font(path, index, chars, cache_dir or default_cache_dir())[0]


def prune(cache_dir: Path, max_bytes: int) -> list[Path]:
    """Delete the oldest (by mtime) converted fonts until the rest total at most ``max_bytes``.

    Also removes temporary files left by a killed conversion (older than an hour). Returns the
    deleted paths. Files another process deletes meanwhile are skipped.
    """
    directory = Path(cache_dir) / "converted"
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    entries: list[tuple[float, int, Path]] = []
    now = time.time()
    for p in directory.iterdir():
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        if p.name.startswith(".tmp-"):
            if now - st.st_mtime > 3600:
                try:
                    p.unlink()
                    removed.append(p)
                except FileNotFoundError:
                    pass
            continue
        if p.suffix == ".ttf":
            entries.append((st.st_mtime, st.st_size, p))
    entries.sort(key=lambda e: (e[0], e[2].name))
    total = sum(size for _, size, _ in entries)
    for _mtime, size, p in entries:
        if total <= max_bytes:
            break
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass
        total -= size
    return removed
