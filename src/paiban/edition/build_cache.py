"""The edition build's cache of rendered pages, kept in the output directory (``OUT/.paiban-cache/``).

Entries are ``render/<key>.pdf`` (one per page, one per combined edition PDF) and
``render/<key>.png`` with ``.thumb.png`` (a page's previews), addressed by a digest of
everything that goes into them. A page's key (`render_key`) covers the code
(`paiban.code_identity`: paiban's source, the Python and the libraries that shape the output),
what the page draws (`drawn_page_digest`: every glyph's code and position, every rule, box and
picture placement), the bytes of its pictures, the font files it draws with and, per font, the
characters its font is prepared for (those of the page's composition: a new character re-renders
the pages of that layout set in that font, in the editions that share it), and the PDF title. A
preview's key (`preview_key`) is its page's key and the preview settings; the combined PDF's
(`combined_key`) its title and its pages' keys. Editions built into one output folder share the
cache, so a page they share is rendered once. The cache holds only the files a build publishes:
nothing in it is code or is loaded as objects.

Entries are written atomically (`write_atomic`); stray temporary files are removed at the next
build (`clean_temporaries`). Entries unused for `MAX_AGE_DAYS` days are pruned after a build.

Every entry carries a checksum: the render folder holds `paiban.atomic_files.CHECKSUM_MARKER`,
so each file written into it, by whichever process (the PDF writer of a render worker, the
previews, the contact sheet), gets a sidecar with its size and SHA-256, and
`BuildCache.has_render` counts an entry only when every file matches it: a page PDF cut short
or damaged is rendered again, never published. The markers of fonts prepared for an edition
(`font_ready`) are sealed (`paiban.cache_health.seal`).

A cache folder that cannot be used (read-only, a file where it should be) costs only speed:
`BuildCache.create` then puts the rendered files in the process's scratch folder and records
one warning (`paiban.cache_health`); a font marker that cannot be written is noted the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from paiban.atomic_files import CHECKSUM_MARKER, intact, sidecar_of, write_atomically
from paiban.cache_health import note_unusable, scratch_dir, seal, unseal
from paiban.code_identity import code_identity
from paiban.i18n import N_
from paiban.model.placed import EncodedPage

__all__ = ["BuildCache", "CACHE_DIR_NAME", "combined_key", "contact_key", "drawn_page_digest",
           "file_digest", "preview_key", "render_key", "write_atomic"]

CACHE_DIR_NAME = ".paiban-cache"
MAX_AGE_DAYS = 14
#: the folder where builds before pages carried their text deflated (`EncodedPage.stream`) kept
#: the pages' compressed content streams, beside the render folder: pruned as it ages
_OLD_STREAMS = "streams"


def _hasher() -> Any:
    return hashlib.blake2b(digest_size=20)


def _feed(h: Any, *parts: object) -> None:
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)


_file_digests: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path | str) -> str:
    """Digest of a file's bytes (memoised per process by path, size and modification time)."""
    st = os.stat(path)
    memo = (str(path), st.st_size, st.st_mtime_ns)
    hit = _file_digests.get(memo)
    if hit is None:
        with open(path, "rb") as fh:
            hit = _file_digests[memo] = hashlib.file_digest(fh, _hasher).hexdigest()
    return hit


def file_stamp(path: Path | str) -> str:
    """A font file's identity without reading it: path, size and modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def drawn_page_digest(page: EncodedPage) -> str:
    """Digest of what a page draws: its text operators (every glyph's code and position, see
    `paiban.render.text_operators`), its code space and everything else on it (size, boxes,
    rules, pictures, proof marks, press settings and slug: frozen dataclasses of numbers and
    strings, whose `repr` is exact), and the bytes of the press profile it embeds."""
    h = _hasher()
    _feed(h, "drawn-v4", page.number, page.width, page.height,
          repr((page.rects, page.rules, page.images, page.markers, page.press, page.slug)),
          "".join(page.astral), page.stream)
    if page.press.profile is not None:  # the output intent embeds the profile's bytes
        _feed(h, "profile", file_digest(page.press.profile))
    return h.hexdigest()


def render_key(page_digest: str, title: str, fonts: Iterable[tuple[str, str, int, str]],
               pictures: Iterable[str]) -> str:
    """The key of one page's PDF: `fonts` are (face key, file, index, characters). (The codes of
    characters beyond U+FFFF, which depend on the edition's, are in `page_digest`.)"""
    h = _hasher()
    _feed(h, "page-pdf", code_identity(), page_digest, title)
    for key, path, index, chars in sorted(fonts):
        _feed(h, key, file_stamp(path), index, chars)
    for path in sorted(pictures):
        _feed(h, "picture", path, file_digest(path))
    return h.hexdigest()


def preview_key(page_key: str, preview: object) -> str:
    """The key of a page's preview and thumbnail: its PDF's key and the preview settings."""
    h = _hasher()
    _feed(h, "preview", code_identity(), page_key, repr(preview))
    return h.hexdigest()


def combined_key(title: str, page_keys: Iterable[str]) -> str:
    """The key of the combined edition PDF: its title and its pages' keys, in order."""
    h = _hasher()
    _feed(h, "combined", code_identity(), title, *page_keys)
    return h.hexdigest()


def contact_key(settings: object, page_keys: Iterable[str]) -> str:
    h = _hasher()
    _feed(h, "contact", code_identity(), repr(settings), *page_keys)
    return h.hexdigest()


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    write_atomically(path, data, mode)


def clean_temporaries(folder: Path) -> None:
    """Remove temporary files (``*.part``) an interrupted build left in `folder` (not recursive)."""
    try:
        names = os.listdir(folder)
    except OSError:  # no folder, or a file where it should be
        return
    for name in names:
        if name.endswith(".part") and name.startswith("."):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)


class BuildCache:
    """The cache folder of one output directory."""

    def __init__(self, output: Path):
        self.root = output / CACHE_DIR_NAME
        self.render_dir = self.root / "render"
        #: the lock a build holds on the cache (in the scratch folder when the cache is unusable)
        self.lock_path = self.root / "lock"
        self.usable = True

    def create(self) -> None:
        """Make the folders (and the checksum marker); in the scratch folder if the cache's cannot be used."""
        try:
            self._create(self.render_dir)
            tag = self.root / "CACHEDIR.TAG"  # backup tools skip the folder
            if not tag.is_file():
                write_atomic(tag, b"Signature: 8a477f597d28d172789f06886806bc55\n"
                                  b"# paiban's edition build cache; safe to delete.\n")
        except OSError as exc:
            note_unusable(self.root, exc, N_("edition build cache"))
            self.usable = False
            scratch = scratch_dir() / "edition-cache"
            self.render_dir = scratch / "render"
            self.lock_path = scratch / "lock"
            self._create(self.render_dir)

    @staticmethod
    def _create(render_dir: Path) -> None:
        render_dir.mkdir(parents=True, exist_ok=True)
        marker = render_dir / CHECKSUM_MARKER
        if not marker.is_file():
            write_atomically(marker, b'{"checksums": "each file here has a sidecar NAME.sha256.json"}\n',
                             0o644, durable=False)

    def clean(self) -> None:
        for folder in (self.root, self.render_dir):
            clean_temporaries(folder)

    def render_path(self, key: str, suffix: str) -> Path:
        return self.render_dir / f"{key}{suffix}"

    def has_render(self, key: str, suffixes: Iterable[str]) -> bool:
        """True if every file of the entry is there and matches its checksum (then their
        checksums are touched, as used: the files themselves keep their time, since the
        published editions are hard links to them); False if any is missing, cut short, damaged
        or has no checksum."""
        paths = [self.render_path(key, s) for s in suffixes]
        if all(intact(p) for p in paths):
            for p in paths:
                _touch(sidecar_of(p))
            return True
        return False

    def prune(self, max_age_days: float = MAX_AGE_DAYS) -> int:
        """Remove entries not used for `max_age_days` (a file's use is its checksum's time, see
        `has_render`) and the content streams earlier builds kept as old; the number of files
        removed."""
        limit = time.time() - max_age_days * 86400
        removed = 0
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.render_dir.parent / _OLD_STREAMS):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < limit:
                        os.unlink(entry.path)
                        removed += 1
        try:
            entries = {entry.name: entry for entry in os.scandir(self.render_dir)}
        except FileNotFoundError:
            return 0
        for name, entry in entries.items():
            if name == CHECKSUM_MARKER:
                continue
            used = entries.get(sidecar_of(Path(name)).name, entry)  # a file by its checksum's time
            try:
                if max(entry.stat().st_mtime, used.stat().st_mtime) < limit:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                pass
        return removed


# ---- fonts prepared for an edition (in the font conversion cache, shared by output folders) ----

def _font_marker(font_cache: Path, face_stamp: str, chars: str) -> Path:
    h = _hasher()
    _feed(h, code_identity(), face_stamp, chars)
    return font_cache / "edition-fonts" / h.hexdigest()


def font_ready(font_cache: Path, face_stamp: str, chars: str) -> bool:
    """Did a build convert this font for exactly these characters into `font_cache`? (A hint: if
    the conversion was pruned since, the render jobs convert it again.) A marker that is cut
    short or damaged is no marker."""
    marker = _font_marker(font_cache, face_stamp, chars)
    try:
        sealed = unseal(marker.read_bytes())
    except OSError:
        return False
    return sealed is not None and sealed[0] == _marker_text(marker)


def mark_font_ready(font_cache: Path, face_stamp: str, chars: str) -> None:
    """Leave the marker `font_ready` looks for; a font cache that cannot take it is noted
    (`paiban.cache_health`), not raised."""
    marker = _font_marker(font_cache, face_stamp, chars)
    try:
        write_atomically(marker, seal(_marker_text(marker)), 0o644, durable=False)
    except OSError as exc:
        note_unusable(font_cache, exc, N_("font cache folder"))


def _marker_text(marker: Path) -> bytes:
    return f'{{"marker":"{marker.name}"}}'.encode("ascii")


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(path)
