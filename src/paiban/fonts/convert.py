"""CFF -> TrueType conversion of fonts and font subsets, and the content-addressed cache of them.

reportlab draws only TrueType (glyf) outlines; Noto CJK has CFF outlines. Converting a whole
Noto CJK face takes ~80 s (and ~700 MB of memory), so by default we subset the face to the
characters a job draws (`fontTools.subset`, no layout features, keeping .notdef with its box) and
convert only that (~1 s for a page's 600 characters), following fontTools'
``Snippets/otf2ttf.py``: Cu2QuPen + TTGlyphPen, max error 1 font unit, reversed contour
direction, ``post`` format 3.

Cache (``$PAIBAN_CACHE_DIR``, see `default_cache_dir`):

* ``converted/<key>.ttf``: per-job subsets. ``key`` (`cache_key`) is a digest of the code
  identity (`paiban.code_identity`: paiban's source, the Python, the fontTools version…) and of
  the subset's `subset_id`: the converter, the sha256 of the font file's bytes (hashed once per
  file version, kept in ``digests/``: see `file_digest`), the face index and the sorted
  characters. The subset id, not the key, names the font in the PDF. Same inputs -> same file
  name and same bytes (head.modified is kept at the source's value, not "now"). The PDF embeds these.
* ``whole/<key>.ttf``: whole-face conversions, made only on demand (`prepare_whole_font`,
  ``paiban fonts prepare``). When one exists, a subset is cut from it (`fontTools.subset` of a
  glyf font, no conversion: ~0.4 s for 600 characters, 2.5 s for all of GB 2312, against 0.8 s
  and ~10 s converting) instead of being converted from the CFF source. The result is the same
  subset, byte for byte, under the same key (conversion is per glyph, and the subsetter keeps
  glyph order), so a PDF does not depend on whether ``prepare`` ran; ``prepare`` only moves the
  conversion work to one up-front run. Layout metrics always come from the source font.

Every cached font carries a checksum: ``checksums/converted/<key>.ttf.json`` (and
``checksums/whole/…``) records its size and SHA-256 (`paiban.atomic_files.write_sidecar`),
written after the font; a font is used only when it matches (`paiban.atomic_files.intact`). A
font that is cut short, damaged or has no checksum is a miss: a subset is converted again and
rewritten, a damaged whole face is as if it were not prepared. The PDF embeds the file's bytes,
so a font file cannot carry its own checksum.

Entries are written to a temporary file (``.tmp-*``) in the same directory, flushed (fsync) and
moved into place with ``os.replace``, so two processes converting the same subset at once both
succeed and leave one entry. After each new entry the cache is trimmed to
``$PAIBAN_CACHE_MAX_MB`` (default 1024 MB), least recently used first, sparing entries used in
the last 10 minutes (`prune`). A cache folder that cannot take a new subset (read-only, a file
where the folder should be, a full disk) costs only speed: the subset goes to a folder private
to the process (`paiban.cache_health.scratch_dir`), and the problem is recorded once
(`paiban.cache_health.cache_warnings`).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from typing import Any

from paiban.atomic_files import intact, write_atomically, write_sidecar
from paiban.cache_health import note_unusable, scratch_dir
from paiban.code_identity import code_identity, library_versions
from paiban.fonts.disk_cache import default_cache_dir, file_stamp, read_entry, write_entry

__all__ = ["CONVERTER_VERSION", "auto_prune", "cache_entries", "cache_key", "cache_max_bytes", "checksum_file",
           "converted_font", "default_cache_dir", "file_digest", "prepare_whole_font", "prune", "subset_id",
           "subset_to_ttf_bytes", "whole_font_file", "whole_font_key"]

#: names the converter in `subset_id` (not a cache stamp: the cache keys hold the code identity)
CONVERTER_VERSION = "paiban-otf2ttf-1"
MAX_ERR = 1.0  # font units
REVERSE_DIRECTION = True
POST_FORMAT = 3.0
#: default size limit of the cache (``$PAIBAN_CACHE_MAX_MB`` overrides it)
DEFAULT_CACHE_MAX_MB = 1024
#: automatic pruning never removes entries used this recently (a running build may need them)
RECENT_SECONDS = 600.0

_digest_lock = threading.Lock()
_digests: dict[tuple[str, int, int, int], str] = {}


def file_digest(path: Path) -> str:
    """sha256 hex digest of the file's bytes, computed once per file version (`file_stamp`) and
    kept in memory and in ``<cache>/digests/``: hashing a 20 MB collection takes ~20 ms, reading
    the entry ~0.1 ms."""
    stamp = file_stamp(Path(path))
    with _digest_lock:
        hit = _digests.get(stamp)
    if hit is not None:
        return hit
    key = f"digest|{stamp[0]}|{stamp[1]}|{stamp[2]}|{stamp[3]}"
    digest = read_entry("digests", key)
    if not (isinstance(digest, str) and len(digest) == 64):
        with open(stamp[0], "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        write_entry("digests", key, digest)
    with _digest_lock:
        _digests[stamp] = digest
    return digest


def _digest(*parts: str) -> str:
    """sha256 hex digest of `parts`, each ended by a NUL byte."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def subset_id(path: Path, index: int, chars: Iterable[str]) -> str:
    """The identity of the converted subset of face ``index`` of ``path`` to ``chars`` (see the
    module doc). It names the subset's font in the PDF (`FontRegistry.pdf_font_name`), so a PDF
    does not change with code that does not change the subset."""
    text = "".join(sorted(set(chars)))
    return _digest(CONVERTER_VERSION, library_versions()["fonttools"], file_digest(path), str(int(index)), text)


def cache_key(subset: str) -> str:
    """The key of the cached subset (``converted/<key>.ttf``) whose `subset_id` is ``subset``:
    that id and the code identity (`paiban.code_identity`), so that other code never meets an
    old file."""
    return hashlib.sha256(f"{code_identity()}\0{subset}".encode("ascii")).hexdigest()


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
    for name in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                 "maxSizeOfInstructions"):
        setattr(maxp, name, 0)
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
    """Face ``index`` of ``path`` subset to ``chars``, as TrueType (glyf) bytes; a glyf source is
    only subset. Deterministic: the same inputs give the same bytes."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    text = "".join(sorted(set(chars)))
    options = subset.Options(layout_features=[], notdef_glyph=True,
                             notdef_outline=True,  # a missing character shows a box, not nothing
                             hinting=False, desubroutinize=True, recalc_timestamp=False, recalc_bounds=False,
                             glyph_names=False, ignore_missing_unicodes=True)
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


CHECKSUMS = "checksums"


def checksum_file(font_file: Path) -> Path:
    """Where the checksum of ``<cache>/converted/<name>`` (or ``whole/<name>``) is kept:
    ``<cache>/checksums/converted/<name>.json``…"""
    font_file = Path(font_file)
    return font_file.parent.parent / CHECKSUMS / font_file.parent.name / f"{font_file.name}.json"


def _verified(font_file: Path) -> bool:
    return intact(font_file, checksum_file(font_file))


def _store(target: Path, data: bytes) -> None:
    """Write a cached font, then its checksum (OSError if either cannot be written)."""
    write_atomically(target, data, mode=0o644, durable=False)
    write_sidecar(target, hashlib.sha256(data).hexdigest(), len(data), checksum_file(target))


#: subsets this process had to keep outside an unusable cache: cache file → the scratch file
_scratch_files: dict[Path, Path] = {}


def _store_or_scratch(target: Path, data: bytes, cache_dir: Path) -> Path:
    """`_store` into the cache; where it cannot, into the process's scratch folder, noting the
    cache problem once. The file written."""
    try:
        _store(target, data)
        return target
    except OSError as exc:
        note_unusable(cache_dir, exc, "font cache folder")
    try:
        if target.read_bytes() == data:
            return target  # the font itself was written; only its checksum could not be
    except OSError:
        pass
    fallback = scratch_dir() / target.parent.name / target.name
    write_atomically(fallback, data, mode=0o644, durable=False)
    _scratch_files[target] = fallback
    return fallback


def whole_font_key(path: Path, index: int) -> str:
    """The content address of the whole-face conversion of face ``index`` of ``path``."""
    return _digest(code_identity(), file_digest(path), str(int(index)), "whole")


def _whole_target(path: Path, index: int, cache_dir: Path) -> Path:
    return Path(cache_dir) / "whole" / f"{whole_font_key(path, index)}.ttf"


def whole_font_file(path: Path, index: int, cache_dir: Path) -> Path | None:
    """The cached whole-face conversion of face ``index`` of ``path``, or None if not prepared
    (or if the file does not match its checksum: cut short, damaged)."""
    target = _whole_target(path, index, cache_dir)
    return target if _verified(target) else None


def prepare_whole_font(path: Path, index: int, cache_dir: Path) -> tuple[Path, bool]:
    """Convert the whole face ``index`` of ``path`` into the cache, unless already there:
    ``(file, converted_now)``. OSError if the cache cannot take it (preparing is for the cache,
    unlike a build)."""
    have = whole_font_file(path, index, cache_dir)
    if have is not None:
        _touch(have)
        return have, False
    from fontTools.ttLib import TTFont

    with TTFont(str(path), fontNumber=int(index), lazy=True) as tt:
        chars = [chr(cp) for cp in (tt.getBestCmap() or {})]
    data = subset_to_ttf_bytes(path, index, chars)
    target = _whole_target(path, index, cache_dir)
    _store(target, data)
    auto_prune(cache_dir)
    return target, True


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache is still usable


def converted_font(path: Path, index: int, chars: Iterable[str], cache_dir: Path) -> tuple[Path, str]:
    """The cached TrueType subset of face ``index`` of ``path`` for ``chars``: ``(file, id)``,
    ``id`` its `subset_id`. A hit is only touched (so `prune` removes the least recently used
    entries first); a miss is made and written as the module doc says."""
    text = "".join(sorted(set(chars)))  # chars may be a one-shot iterator
    subset = subset_id(path, index, text)
    target = Path(cache_dir) / "converted" / f"{cache_key(subset)}.ttf"
    if _verified(target):
        _touch(target)
        return target, subset
    kept = _scratch_files.get(target)
    if kept is not None and kept.is_file():
        return kept, subset
    whole = whole_font_file(path, index, cache_dir)
    if whole is not None:
        _touch(whole)
    data = subset_to_ttf_bytes(whole, 0, text) if whole is not None else subset_to_ttf_bytes(path, index, text)
    written = _store_or_scratch(target, data, Path(cache_dir))
    if written == target:
        auto_prune(cache_dir)
    return written, subset


def cache_max_bytes() -> int:
    """The cache size limit: ``$PAIBAN_CACHE_MAX_MB`` megabytes, default `DEFAULT_CACHE_MAX_MB`."""
    raw = os.environ.get("PAIBAN_CACHE_MAX_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_CACHE_MAX_MB
    except ValueError:
        mb = DEFAULT_CACHE_MAX_MB
    return max(0, int(mb * 1024 * 1024))


#: (folder, file suffix) of the entries the size limit applies to: subsets, whole faces and the
#: compressed font programs the PDF writer keeps (`paiban.render.cid_fonts`) and the fonts' metrics
PRUNED = (("converted", ".ttf"), ("whole", ".ttf"), ("programs", ".bin"), ("metrics", ".bin"))
#: the folders of cached fonts, whose checksums are kept in ``checksums/<folder>/``
CHECKSUMMED = ("converted", "whole")


def _listing(directory: Path) -> list[Path]:
    """The files of a cache folder; none if it is missing or cannot be read."""
    try:
        return list(directory.iterdir())
    except OSError:
        return []


def cache_entries(cache_dir: Path) -> list[tuple[Path, int, float]]:
    """Every cached font, subsets and whole faces: ``(file, size, mtime)``, oldest first."""
    entries: list[tuple[Path, int, float]] = []
    for sub, suffix in PRUNED:
        for p in _listing(Path(cache_dir) / sub):
            if p.name.startswith(".tmp-") or p.suffix != suffix:
                continue
            try:
                st = p.stat()
            except OSError:
                continue
            entries.append((p, st.st_size, st.st_mtime))
    entries.sort(key=lambda e: (e[2], e[0].name))
    return entries


def auto_prune(cache_dir: Path) -> list[Path]:
    """`prune` to `cache_max_bytes`, sparing entries used in the last `RECENT_SECONDS`."""
    limit = cache_max_bytes()
    if sum(size for _, size, _ in cache_entries(cache_dir)) <= limit:
        return []
    return prune(cache_dir, limit, keep_newer_than=RECENT_SECONDS)


def prune(cache_dir: Path, max_bytes: int, keep_newer_than: float = 0.0) -> list[Path]:
    """Delete the least recently used cached entries (oldest mtime first) until the rest total at
    most ``max_bytes``, keeping those used less than ``keep_newer_than`` seconds ago; also
    temporary files of a killed conversion and checksums left without their font for an hour.
    The deleted paths (a deleted font's checksum goes with it, unlisted)."""
    removed: list[Path] = []
    now = time.time()
    folders = [Path(cache_dir) / sub for sub, _ in PRUNED]
    folders += [Path(cache_dir) / CHECKSUMS / sub for sub in CHECKSUMMED]
    for directory in folders:
        for p in _listing(directory):
            if not p.name.startswith(".tmp-"):
                continue
            try:
                if now - p.stat().st_mtime > 3600:
                    p.unlink()
                    removed.append(p)
            except OSError:
                pass
    for sub in CHECKSUMMED:  # checksums of fonts deleted by hand or by a crashed prune
        for p in _listing(Path(cache_dir) / CHECKSUMS / sub):
            if p.name.startswith(".tmp-") or not p.name.endswith(".ttf.json"):
                continue
            try:
                if not (Path(cache_dir) / sub / p.name[:-len(".json")]).exists() and now - p.stat().st_mtime > 3600:
                    p.unlink()
            except OSError:
                pass
    entries = cache_entries(cache_dir)
    total = sum(size for _, size, _ in entries)
    for p, size, mtime in entries:
        if total <= max_bytes:
            break
        if keep_newer_than and now - mtime < keep_newer_than:
            continue
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass
        except OSError:
            continue  # a read-only cache: nothing can go
        if p.parent.name in CHECKSUMMED:
            try:
                checksum_file(p).unlink()
            except OSError:
                pass
        total -= size
    return removed
