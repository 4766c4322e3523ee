"""Finding font files on this machine and opening their faces.

Search order (first match wins):

1. every directory in ``$PAIBAN_FONT_PATH`` (``os.pathsep``-separated), walked recursively;
   this is how a user points paiban at fonts it cannot install, e.g. ``.deb`` packages unpacked
   with ``dpkg-deb -x`` into ``~/.cache/paiban/debs`` (then ``…/debs/usr/share/fonts``);
2. the files fontconfig knows (``fc-list --format '%{file}\\n'``) when ``fc-list`` exists and
   answers; otherwise the standard directories ``/usr/share/fonts``, ``/usr/local/share/fonts``,
   ``~/.local/share/fonts`` and ``~/.fonts``;
3. the font packages that ``tasks.sh`` (as a normal user) and fonts/README.md unpack into the
   cache: ``${XDG_CACHE_HOME:-~/.cache}/paiban/debs/root/usr/share/fonts`` and
   ``…/paiban/debs/usr/share/fonts``, so ``paiban`` finds them in a new shell too, without
   ``$PAIBAN_FONT_PATH``.

The list is built when first needed (or asked for early with `prefetch_font_files`), once per
process per value of ``$PAIBAN_FONT_PATH``, home and cache folder (``clear_caches()`` forgets
it). ``fc-list`` is run with `subprocess`, with a deadline; a build starts it first thing
(`start_font_search`), so that it runs on another CPU while the build imports its modules and
reads its input, and the list collects its answer.

Faces are read with fontTools (lazily: only the table directory and ``name``), every face of a
file at once, and what was read (each face's names and outline kind, or why it cannot be used)
is kept in memory and on disk (``<cache>/faces/``, see `paiban.fonts.disk_cache`: keyed by the
file's path, size, mtime and inode and the code identity, sealed with its SHA-256: a damaged
entry is read from the font again and rewritten), so a build whose fonts have not changed
neither opens them nor imports fontTools to find its faces.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from paiban.fonts.disk_cache import FileStamp, file_stamp, read_entry, write_entry
from paiban.fonts.faces import FontFace, face_key
from paiban.i18n import _

if TYPE_CHECKING:
    import subprocess

__all__ = [
    "FONT_SUFFIXES",
    "FaceNotFound",
    "clear_caches",
    "face_count",
    "find_face_index",
    "find_font_file",
    "font_files",
    "font_path_dirs",
    "open_face",
    "prefetch_font_files",
    "standard_font_dirs",
    "start_font_search",
    "unpacked_package_dirs",
]

FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")

#: what is known of one face: (names for matching, outline kind), or why it cannot be used
FaceFacts = tuple[tuple[str, ...], str] | str

_lock = threading.Lock()
#: held while a font list is built, so that two threads never both run fc-list
_build_lock = threading.Lock()
_generation = 0
_files_cache: dict[tuple[str, str, str], tuple[Path, ...]] = {}
_name_index_cache: dict[tuple[str, str, str], tuple[dict[str, Path], dict[str, Path]]] = {}
_face_cache: dict[tuple[FileStamp, int], FontFace] = {}
_family_cache: dict[tuple[FileStamp, str], int] = {}
_faces_cache: dict[FileStamp, tuple[FaceFacts, ...]] = {}
#: ``fc-list`` started ahead (`start_font_search`) and the search key it was started for
_early_fc_list: tuple[subprocess.Popen[bytes], tuple[str, str, str]] | None = None

_FC_LIST = ["fc-list", "--format", "%{file}\n"]
_FC_LIST_TIMEOUT = 30.0


class FaceNotFound(LookupError):
    """A collection has no face of the requested family."""


def font_path_dirs() -> tuple[Path, ...]:
    """The directories named in ``$PAIBAN_FONT_PATH``, in order (``~`` expanded; empty parts skipped)."""
    raw = os.environ.get("PAIBAN_FONT_PATH", "")
    return tuple(Path(part).expanduser() for part in raw.split(os.pathsep) if part.strip())


def standard_font_dirs() -> tuple[Path, ...]:
    """The usual font directories of a Linux system, used when fontconfig is not available."""
    home = Path.home()
    return (
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local/share/fonts",
        home / ".fonts",
    )


def unpacked_package_dirs() -> tuple[Path, ...]:
    """Where tasks.sh and fonts/README.md unpack font packages without root (searched last)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    debs = cache / "paiban" / "debs"
    return (debs / "root" / "usr" / "share" / "fonts", debs / "usr" / "share" / "fonts")


def _search_key() -> tuple[str, str, str]:
    return (os.environ.get("PAIBAN_FONT_PATH", ""), str(Path.home()), os.environ.get("XDG_CACHE_HOME", ""))


def _is_font_file(name: str) -> bool:
    return name.lower().endswith(FONT_SUFFIXES)


def _walk_fonts(root: Path) -> list[Path]:
    """Font files under ``root``, sorted per directory, following symlinks without looping."""
    found: list[Path] = []
    if not root.is_dir():
        return found
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames.sort()
        for name in sorted(filenames):
            if _is_font_file(name):
                found.append(Path(dirpath, name).absolute())
    return found


def _start(argv: list[str]) -> subprocess.Popen[bytes] | None:
    """A command started with its standard output piped, or None when it cannot be started."""
    import subprocess

    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None


def _answer(process: subprocess.Popen[bytes], timeout: float) -> bytes | None:
    """The standard output of a started command that exits 0 within `timeout` seconds, else
    None (it fails, or does not answer in time: then it is killed)."""
    import subprocess

    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()  # (reaps it and closes its pipe)
        return None
    return out if process.returncode == 0 else None


def _output(argv: list[str], timeout: float) -> bytes | None:
    """The standard output of a command that exits 0 within `timeout` seconds, else None (it
    cannot be started, fails, or does not answer in time: then it is killed)."""
    process = _start(argv)
    return None if process is None else _answer(process, timeout)


def start_font_search() -> None:
    """Start ``fc-list`` now, in the background, for the first font list to collect (a build
    calls it before it imports its modules; nothing happens when the list is known already)."""
    global _early_fc_list
    key = _search_key()
    with _lock:
        if _early_fc_list is not None or key in _files_cache:
            return
        process = _start(_FC_LIST)
        if process is not None:  # (without fc-list the list is built without it, as it would be)
            _early_fc_list = (process, key)


def _early_answer() -> tuple[bool, bytes | None]:
    """(whether ``fc-list`` was started ahead for this search, its output as `_output` gives it)."""
    global _early_fc_list
    with _lock:
        early, _early_fc_list = _early_fc_list, None
    if early is None:
        return False, None
    process, key = early
    out = _answer(process, _FC_LIST_TIMEOUT)
    if key != _search_key():  # the environment changed since: ask again
        return False, None
    return True, out


def _fc_list() -> list[Path] | None:
    """Font files fontconfig knows, or None when ``fc-list`` is missing or fails."""
    started, out = _early_answer()
    if not started:
        out = _output(_FC_LIST, timeout=_FC_LIST_TIMEOUT)
    if out is None:
        return None
    lines = dict.fromkeys(line.strip() for line in sorted(out.decode("utf-8", "surrogateescape").splitlines()))
    return [Path(line) for line in lines if line and _is_font_file(line)] or None


def font_files() -> tuple[Path, ...]:
    """Every font file found, in search order ($PAIBAN_FONT_PATH first), without duplicates."""
    key = _search_key()
    with _lock:
        cached = _files_cache.get(key)
    if cached is not None:
        return cached
    with _build_lock:  # another thread may be building the same list: wait for it
        with _lock:
            cached = _files_cache.get(key)
            generation = _generation
        if cached is not None:
            return cached
        result = _find_font_files()
        with _lock:
            if generation == _generation and key == _search_key():
                _files_cache[key] = result
    return result


def _find_font_files() -> tuple[Path, ...]:
    ordered = [p for d in font_path_dirs() for p in _walk_fonts(d)]
    ordered += _fc_list() or [p for d in standard_font_dirs() for p in _walk_fonts(d)]
    ordered += [p for d in unpacked_package_dirs() for p in _walk_fonts(d)]
    return tuple(dict.fromkeys(ordered))  # without duplicates, the first of each kept


def prefetch_font_files() -> None:
    """Find the font files now (`font_files`), not when the first role is resolved: a build
    calls it where it knows it will need them. Errors are left to the caller's own
    `font_files` call."""
    try:
        font_files()
    except Exception:  # noqa: BLE001 - raised again where the list is used
        pass


def clear_caches() -> None:
    """Forget the discovered file list and opened faces (after installing fonts, in tests)."""
    global _generation, _early_fc_list
    with _lock:
        _generation += 1  # a list being built now is not kept
        if _early_fc_list is not None:  # started before the fonts changed: not to be believed
            _early_fc_list[0].kill()
            _early_fc_list[0].communicate()  # (reaps it and closes its pipe)
            _early_fc_list = None
        _files_cache.clear()
        _name_index_cache.clear()
        _face_cache.clear()
        _family_cache.clear()
        _faces_cache.clear()


def find_font_file(file_name: str) -> Path | None:
    """The first font file called ``file_name`` (e.g. ``"NotoSerifCJK-Regular.ttc"``), or None.

    An exact name match anywhere in the search order wins over a case-insensitive one.
    """
    key = _search_key()
    with _lock:
        idx = _name_index_cache.get(key)
    if idx is None:
        exact: dict[str, Path] = {}
        folded: dict[str, Path] = {}
        for p in font_files():
            exact.setdefault(p.name, p)
            folded.setdefault(p.name.casefold(), p)
        idx = (exact, folded)
        with _lock:
            _name_index_cache[key] = idx
    exact, folded = idx
    name = Path(file_name).name
    return exact.get(name) or folded.get(name.casefold())


def face_count(path: Path) -> int:
    """Number of faces in ``path``: the TTC header's count for a collection, else 1."""
    with open(path, "rb") as f:
        head = f.read(12)
    if len(head) < 4:
        raise ValueError(_("{path}: not a font file (too short)").format(path=path))
    if head[:4] == b"ttcf":
        if len(head) < 12:
            raise ValueError(_("{path}: truncated font collection header").format(path=path))
        return int.from_bytes(head[8:12], "big")
    return 1


def _names(path: Path, index: int) -> tuple[list[str], str]:
    """(family-like names for matching, outline kind) of one face, read lazily with fontTools."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), fontNumber=index, lazy=True) as tt:
        names: list[str] = []
        if "name" in tt:
            table = tt["name"]
            for name_id in (1, 16, 4, 6, 21):
                value = table.getDebugName(name_id)
                if value and value not in names:
                    names.append(value)
        if "glyf" in tt:
            outlines = "glyf"
        elif "CFF " in tt or "CFF2" in tt:
            outlines = "CFF"
        else:
            raise ValueError(f"{path}#{index}: no glyf or CFF outlines (bitmap-only font?)")  # cached on disk: English
    return names, outlines


def _read_face(path: Path, index: int) -> tuple[FaceFacts, bool]:
    """The facts of one face and whether they may be cached (not after an I/O error)."""
    try:
        names, outlines = _names(path, index)
        return (tuple(names), outlines), True
    except ValueError as exc:
        return str(exc), True
    except OSError as exc:
        return f"{path}#{index}: cannot read font: {exc}", False
    except Exception as exc:  # fontTools raises assorted errors on a damaged file
        return f"{path}#{index}: cannot read font: {exc}", True


def _valid_facts(data: object) -> tuple[FaceFacts, ...] | None:
    """``data`` from the disk cache (JSON: a list of ``[[names…], outlines]`` or error texts) as
    face facts, or None if it is not shaped like them."""
    if not isinstance(data, list) or not data:
        return None
    facts: list[FaceFacts] = []
    for item in data:
        if isinstance(item, str):
            facts.append(item)
            continue
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str)
                and isinstance(item[0], list) and all(isinstance(n, str) for n in item[0])):
            return None
        facts.append((tuple(item[0]), item[1]))
    return tuple(facts)


def _file_faces(path: Path, stamp: FileStamp) -> tuple[FaceFacts, ...]:
    """The facts of every face of ``path`` (absolute; ``stamp`` its `file_stamp`), by index."""
    with _lock:
        hit = _faces_cache.get(stamp)
    if hit is not None:
        return hit
    key = f"faces|{stamp[0]}|{stamp[1]}|{stamp[2]}|{stamp[3]}"
    faces = _valid_facts(read_entry("faces", key))
    if faces is None:
        read = [_read_face(path, i) for i in range(face_count(path))]
        faces = tuple(facts for facts, _ in read)
        if not all(ok for _, ok in read):
            return faces  # an I/O error may pass: read again next time
        write_entry("faces", key, [f if isinstance(f, str) else [list(f[0]), f[1]] for f in faces])
    with _lock:
        _faces_cache[stamp] = faces
    return faces


def open_face(path: Path, index: int = 0) -> FontFace:
    """Read face ``index`` of ``path`` into a `FontFace` (cached per file version).

    Raises FileNotFoundError if the file is missing and ValueError if ``index`` is out of range
    or the file is not a usable outline font.
    """
    path = Path(path).expanduser().absolute()
    stamp = file_stamp(path)
    cache_key = (stamp, int(index))
    with _lock:
        hit = _face_cache.get(cache_key)
    if hit is not None:
        return hit
    faces = _file_faces(path, stamp)
    if not 0 <= index < len(faces):
        raise ValueError(_("{path}: face index {index} out of range (the file has {count} face(s))").format(
            path=path, index=index, count=len(faces)))
    facts = faces[index]
    if isinstance(facts, str):
        raise ValueError(facts)
    names, outlines = facts
    family = names[0] if names else path.stem
    face = FontFace(path=path, index=int(index), family=family, outlines=outlines,
                    key=face_key(path, index))
    with _lock:
        _face_cache[cache_key] = face
    return face


def find_face_index(path: Path, family: str) -> int:
    """Index of the face of ``path`` whose family is ``family`` (e.g. ``"Noto Serif CJK SC"``).

    Compared case-insensitively with name IDs 1 (family), 16 (typographic family), 4 (full
    name), 6 (PostScript name) and 21; the first face whose family (ID 1) matches wins, then the
    first whose other names match. Raises `FaceNotFound` (a LookupError) listing the families,
    and ValueError if a face of the file cannot be read.
    """
    path = Path(path).expanduser().absolute()
    want = family.strip().casefold()
    stamp = file_stamp(path)
    cache_key = (stamp, want)
    with _lock:
        hit = _family_cache.get(cache_key)
    if hit is not None:
        return hit
    index = _find_face_index(path, _file_faces(path, stamp), family, want)
    with _lock:
        _family_cache[cache_key] = index
    return index


def _find_face_index(path: Path, faces: tuple[FaceFacts, ...], family: str, want: str) -> int:
    for facts in faces:
        if isinstance(facts, str):
            raise ValueError(facts)
    per_face = [facts[0] for facts in faces]
    for i, names in enumerate(per_face):
        if names and names[0].casefold() == want:
            return i
    for i, names in enumerate(per_face):
        if any(n.casefold() == want for n in names[1:]):
            return i
    have = ", ".join(repr(n[0]) for n in per_face if n)
    raise FaceNotFound(_("{path}: no face of family {family!r} (faces: {have})").format(
        path=path, family=family, have=have))
