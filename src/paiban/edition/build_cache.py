"""The edition build's cache, kept in the output directory (``OUT/.paiban-cache/``).

Two kinds of entries, both addressed by a digest of everything that goes into them:

* **compositions** (``compose/<key>.info.pkl`` and ``compose/<key>.pages.pkl``): one per layout
  of an edition. The key (`compose_key`) covers the code (every source file of the installed
  paiban and its version), the layout after the edition's variables and page numbers were
  applied (its full `repr`), the bytes of every article and picture it names, the font roles
  file, the ``font_files`` and the fonts installed on the machine (path, size and modification
  time of each: a font that appears, goes or changes recomposes), and the proof flag. The
  pages entry holds the composed pages without their lines and each page's text operators
  (what a render draws), or the pages with their lines when the operators were not made
  (`paiban.edition.compose.load_pages`).
* **renders** (``render/<key>.pdf`` with ``.png`` and ``.thumb.png`` next to it): one per page,
  one per combined edition PDF. A page's key (`render_key`) covers the composed page itself (a
  digest of its content: every glyph, rule, box and picture placement), the bytes of its
  pictures, the font files it draws with and, per font, the characters the whole edition draws
  with it (fonts are prepared for the edition's characters, so a new character anywhere
  re-renders every page set in that font), the PDF title and the preview settings.

Entries are written to a temporary name and renamed (`write_atomic`), so an interrupted build
leaves whole entries or none; stray temporary files are removed at the next build
(`clean_temporaries`). Entries unused for `MAX_AGE_DAYS` days are pruned after a build. The
cache is trusted like the output directory it lives in (compositions are pickles).

Functions: `code_digest`, `file_digest`, `content_digest`, `compose_key`, `render_key`,
`combined_key`; class `BuildCache` (paths, load/save of compositions, pruning).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from paiban.atomic_files import write_atomically
from typing import Any

import paiban

__all__ = ["BuildCache", "CACHE_DIR_NAME", "code_digest", "combined_key", "compose_key", "content_digest",
           "file_digest", "render_key", "write_atomic"]

CACHE_DIR_NAME = ".paiban-cache"
MAX_AGE_DAYS = 14
#: bump to invalidate every cache entry when the cache's own format changes
FORMAT = "1"


def _hasher() -> Any:
    return hashlib.blake2b(digest_size=20)


def _feed(h: Any, *parts: object) -> None:
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)


@lru_cache(maxsize=None)
def code_digest() -> str:
    """paiban's version and the bytes of every source and data file of the package."""
    h = _hasher()
    _feed(h, FORMAT, paiban.__version__)
    root = Path(paiban.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            _feed(h, path.relative_to(root).as_posix(), path.read_bytes())
    return h.hexdigest()


_file_digests: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path | str) -> str:
    """Digest of a file's bytes (memoised per process by path, size and modification time)."""
    st = os.stat(path)
    memo = (str(path), st.st_size, st.st_mtime_ns)
    hit = _file_digests.get(memo)
    if hit is None:
        h = _hasher()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        hit = _file_digests[memo] = h.hexdigest()
    return hit


def file_stamp(path: Path | str) -> str:
    """A font file's identity without reading it: path, size and modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def content_digest(obj: object) -> str:
    """Digest of a value's content (plain data and frozen dataclasses).

    Pickled in "fast" mode, which writes no memo: the bytes depend on the values only, not on
    which equal strings happen to be the same object."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=4)
    pickler.fast = True  # no memo: identical values give identical bytes
    pickler.dump(obj)
    h = _hasher()
    h.update(buf.getvalue())
    return h.hexdigest()


def drawn_page_digest(page: Any, operators: str, astral: tuple[str, ...]) -> str:
    """Digest of what a page draws: its text operators (every glyph's code and position, see
    `paiban.render.text_operators`), its code space and everything else on it (size, boxes,
    rules, pictures, proof marks). Cheaper than `content_digest` of the page, and it changes
    exactly when the rendered page does."""
    h = _hasher()
    _feed(h, "drawn-v1", page.number, page.width, page.height,
          content_digest((page.rects, page.rules, page.images, page.markers)), "".join(astral), operators)
    return h.hexdigest()


def font_inventory() -> str:
    """The fonts this machine offers paiban: every discovered font file with its size and mtime."""
    from paiban.fonts.discovery import font_files

    h = _hasher()
    _feed(h, os.environ.get("PAIBAN_FONT_PATH", ""))
    for path in sorted(str(p) for p in font_files()):
        _feed(h, file_stamp(path))
    return h.hexdigest()


def compose_key(layout_repr: str, articles: Iterable[Path], pictures: Iterable[Path], roles_file: Path,
                font_files: Iterable[Path], inventory: str, proof: bool) -> str:
    """The key of one layout's composition (see the module docstring)."""
    h = _hasher()
    _feed(h, "compose", code_digest(), layout_repr, inventory, proof, file_digest(roles_file))
    for path in articles:
        _feed(h, "article", path, file_digest(path))
    for path in pictures:
        _feed(h, "picture", path, file_digest(path))
    for path in font_files:
        _feed(h, "font", file_stamp(path))
    return h.hexdigest()


def render_key(page_digest: str, title: str, fonts: Iterable[tuple[str, str, int, str]],
               pictures: Iterable[str], preview: object, codes: Iterable[tuple[str, int]] = ()) -> str:
    """The key of one page's PDF and previews: `fonts` are (face key, file, index, characters);
    `codes` the edition's codes for the page's characters beyond U+FFFF (they depend on which
    such characters the whole edition draws: `paiban.render.text_operators.CodeSpace`)."""
    h = _hasher()
    _feed(h, "page", code_digest(), page_digest, title, repr(preview), repr(sorted(codes)))
    for key, path, index, chars in sorted(fonts):
        _feed(h, key, file_stamp(path), index, chars)
    for path in sorted(pictures):
        _feed(h, "picture", path, file_digest(path))
    return h.hexdigest()


def combined_key(title: str, page_keys: Iterable[str]) -> str:
    """The key of the combined edition PDF: its title and its pages' keys, in order."""
    h = _hasher()
    _feed(h, "combined", code_digest(), title, *page_keys)
    return h.hexdigest()


def contact_key(settings: object, page_keys: Iterable[str]) -> str:
    h = _hasher()
    _feed(h, "contact", code_digest(), repr(settings), *page_keys)
    return h.hexdigest()


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    write_atomically(path, data, mode)


def clean_temporaries(folder: Path) -> None:
    """Remove temporary files (``*.part``) an interrupted build left in `folder` (not recursive)."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        if name.endswith(".part") and name.startswith("."):
            try:
                os.unlink(folder / name)
            except OSError:
                pass


class BuildCache:
    """The cache folder of one output directory."""

    def __init__(self, output: Path):
        self.root = output / CACHE_DIR_NAME
        self.compose_dir = self.root / "compose"
        self.render_dir = self.root / "render"

    def create(self) -> None:
        for folder in (self.compose_dir, self.render_dir):
            folder.mkdir(parents=True, exist_ok=True)
        tag = self.root / "CACHEDIR.TAG"  # backup tools skip the folder
        if not tag.exists():
            write_atomic(tag, b"Signature: 8a477f597d28d172789f06886806bc55\n"
                              b"# paiban's edition build cache; safe to delete.\n")

    def clean(self) -> None:
        for folder in (self.root, self.compose_dir, self.render_dir):
            clean_temporaries(folder)

    # -- compositions --

    def load_info(self, key: str) -> Any | None:
        return self._load(self.compose_dir / f"{key}.info.pkl", key)

    def load_pages(self, key: str) -> Any | None:
        return self._load(self.compose_dir / f"{key}.pages.pkl", key)

    def save_composition(self, key: str, info: object, pages: object) -> None:
        # pages first: an info entry always has its pages
        write_atomic(self.compose_dir / f"{key}.pages.pkl", pickle.dumps((key, pages), protocol=5))
        write_atomic(self.compose_dir / f"{key}.info.pkl", pickle.dumps((key, info), protocol=5))

    @staticmethod
    def _load(path: Path, key: str) -> Any | None:
        try:
            with open(path, "rb") as fh:
                stored_key, value = pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry is a miss; it is rewritten
            return None
        if stored_key != key:
            return None
        _touch(path)
        return value

    # -- renders --

    def render_path(self, key: str, suffix: str) -> Path:
        return self.render_dir / f"{key}{suffix}"

    def has_render(self, key: str, suffixes: Iterable[str]) -> bool:
        paths = [self.render_path(key, s) for s in suffixes]
        if all(p.is_file() for p in paths):
            for p in paths:
                _touch(p)
            return True
        return False

    def prune(self, max_age_days: float = MAX_AGE_DAYS) -> int:
        """Remove entries not used for `max_age_days`; the number removed."""
        limit = time.time() - max_age_days * 86400
        removed = 0
        for folder in (self.compose_dir, self.render_dir):
            try:
                entries = list(os.scandir(folder))
            except FileNotFoundError:
                continue
            for entry in entries:
                try:
                    if entry.stat().st_mtime < limit:
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    pass
        return removed


# ---- fonts prepared for an edition (in the font conversion cache, shared by output folders) ----

def _font_marker(font_cache: Path, face_stamp: str, chars: str) -> Path:
    h = _hasher()
    _feed(h, face_stamp, chars)
    return font_cache / "edition-fonts" / h.hexdigest()


def font_ready(font_cache: Path, face_stamp: str, chars: str) -> bool:
    """Did a build convert this font for exactly these characters into `font_cache`? (A hint: if
    the conversion was pruned since, the render jobs convert it again.)"""
    return _font_marker(font_cache, face_stamp, chars).is_file()


def mark_font_ready(font_cache: Path, face_stamp: str, chars: str) -> None:
    marker = _font_marker(font_cache, face_stamp, chars)
    marker.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(marker, b"")


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass
