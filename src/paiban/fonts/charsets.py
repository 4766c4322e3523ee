"""Reference character sets for coverage reports, and characters paiban never draws.

Reference sets (what a newsroom asks of a font: "does it have every character we will print?"):

* **GB 2312 hanzi** (`gb2312_hanzi`): the 6,763 hanzi of GB 2312 (level 1: 3,755, rows 16–55;
  level 2: 3,008, rows 56–87), derived from Python's ``gb2312`` codec by decoding every valid
  byte pair of rows 16–87. Always available.
* **通用规范汉字表** (`tongyong_guifan`, Table of General Standard Chinese Characters, 2013): its
  8,105 characters, read from the Unicode Han Database (Unihan) field ``kTGH``
  (``U+xxxx<TAB>kTGH<TAB>2013:<position>``; positions 1–3500 are level 1, 3501–6500 level 2,
  6501–8105 level 3). paiban does not ship the list: Debian's ``unicode-data`` package ships
  ``/usr/share/unicode/Unihan_OtherMappings.txt.bz2``, which has it. `find_unihan_file` looks in
  ``$PAIBAN_UNIHAN`` (a file or a folder), ``/usr/share/unicode``, the ``usr/share/unicode``
  next to each ``…/usr/share/fonts`` folder of ``$PAIBAN_FONT_PATH`` (packages unpacked with
  ``dpkg-deb -x``) and ``~/.cache/paiban/debs{/root,}/usr/share/unicode``. When none is found the
  set is None and reports say so.

Characters never drawn (`refusal`): emoji and private-use characters are reported as missing
even when some font maps them. A private-use code point means something different in every font
(U+E000 is a logo in one, a rare hanzi in another), and an emoji in a newspaper's text is an
error to be fixed in the copy, not a glyph to print. See `refusal` for the exact ranges.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

from paiban.i18n import N_

__all__ = ["GB2312_HANZI_COUNT", "TONGYONG_GUIFAN_COUNT", "TONGYONG_GUIFAN_SOURCE_HINT", "find_unihan_file",
           "gb2312_hanzi", "is_emoji", "is_private_use", "read_tongyong_guifan", "refusal", "tongyong_guifan"]

GB2312_HANZI_COUNT = 6763
TONGYONG_GUIFAN_COUNT = 8105
#: what to tell a user who has no Unihan data
TONGYONG_GUIFAN_SOURCE_HINT = N_(
    "通用规范汉字表 data not found: install the Debian package unicode-data (it ships "
    "/usr/share/unicode/Unihan_OtherMappings.txt.bz2 with the kTGH field), or set PAIBAN_UNIHAN "
    "to that file; paiban does not ship the list"
)
_UNIHAN_NAMES = ("Unihan_OtherMappings.txt", "Unihan_OtherMappings.txt.bz2")

_lock = threading.Lock()
_gb2312: frozenset[str] | None = None
_tgh: dict[str, dict[str, int] | None] = {}


# ---- GB 2312 --------------------------------------------------------------------------------

def gb2312_hanzi() -> frozenset[str]:
    """The 6,763 hanzi of GB 2312: every byte pair of rows 16–87 that the gb2312 codec decodes."""
    global _gb2312
    if _gb2312 is None:
        chars: set[str] = set()
        for row in range(16, 88):
            for cell in range(1, 95):
                try:
                    chars.add(bytes((0xA0 + row, 0xA0 + cell)).decode("gb2312"))
                except UnicodeDecodeError:
                    continue  # the empty cells at the end of row 55
        _gb2312 = frozenset(chars)
    return _gb2312


# ---- 通用规范汉字表 (from Unihan kTGH) ----------------------------------------------------------

def _candidate_dirs() -> list[Path]:
    dirs: list[Path] = [Path("/usr/share/unicode")]
    for part in os.environ.get("PAIBAN_FONT_PATH", "").split(os.pathsep):
        if not part.strip():
            continue
        p = Path(part).expanduser()
        # …/root/usr/share/fonts (a .deb unpacked with dpkg-deb -x) -> …/root/usr/share/unicode
        for parent in (p, *p.parents):
            if parent.name == "fonts" and parent.parent.name == "share":
                dirs.append(parent.parent / "unicode")
                break
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    debs = cache / "paiban" / "debs"
    dirs += [debs / "root" / "usr" / "share" / "unicode", debs / "usr" / "share" / "unicode"]
    return dirs


def find_unihan_file() -> Path | None:
    """The Unihan_OtherMappings file to read the 通用规范汉字表 from, or None (see the module doc);
    ``$PAIBAN_UNIHAN`` (a file, or a folder holding one) wins when set."""
    env = os.environ.get("PAIBAN_UNIHAN", "").strip()
    if env and Path(env).expanduser().is_file():
        return Path(env).expanduser()
    dirs = [Path(env).expanduser()] if env else []
    candidates = (d / name for d in dirs + _candidate_dirs() for name in _UNIHAN_NAMES)
    return next((c for c in candidates if c.is_file()), None)


def read_tongyong_guifan(path: Path) -> dict[str, int]:
    """Character -> position (1–8105) in the 通用规范汉字表, from a Unihan file's kTGH lines.

    ``path`` may be plain text or bzip2-compressed (name ending in ``.bz2``). Raises ValueError
    if the file has no kTGH field (an old Unihan: kTGH came with Unicode 11, 2018).
    """
    import bz2  # here: only `paiban fonts` coverage reports read the table, never a build

    path = Path(path)
    opener = bz2.open if path.suffix == ".bz2" else open
    table: dict[str, int] = {}
    with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
        for line in f:
            if "\tkTGH\t" not in line or line.startswith("#"):
                continue
            code, _field, value = line.rstrip("\n").split("\t", 2)
            ch = chr(int(code[2:], 16))
            for item in value.split():  # "2013:1234"
                year, _, pos = item.partition(":")
                if year == "2013" and pos.isdigit():
                    table[ch] = int(pos)
    if not table:
        raise ValueError(f"{path}: no kTGH entries (Unihan before Unicode 11?)")
    return table


def tongyong_guifan(path: Path | None = None) -> dict[str, int] | None:
    """The 通用规范汉字表 as character -> position, or None when no Unihan data is found; read once
    per process per file. ``path`` None: `find_unihan_file`."""
    source = path if path is not None else find_unihan_file()
    if source is None:
        return None
    key = str(source)
    with _lock:
        if key in _tgh:
            return _tgh[key]
    try:
        table: dict[str, int] | None = read_tongyong_guifan(source)
    except (OSError, ValueError, EOFError):
        table = None
    with _lock:
        _tgh[key] = table
    return table


# ---- characters never drawn -----------------------------------------------------------------

#: Emoji_Presentation=Yes code points of the BMP, from emoji-data.txt of Unicode 15.0 (Debian
#: unicode-data 15.0.0, /usr/share/unicode/emoji/emoji-data.txt). These show as colour emoji by
#: default; ★ ☆ ※ ○ ● □ ■ and other symbols newspapers use are not among them.
BMP_EMOJI_PRESENTATION: tuple[tuple[int, int], ...] = (
    (0x231A, 0x231B), (0x23E9, 0x23EC), (0x23F0, 0x23F0), (0x23F3, 0x23F3), (0x25FD, 0x25FE),
    (0x2614, 0x2615), (0x2648, 0x2653), (0x267F, 0x267F), (0x2693, 0x2693), (0x26A1, 0x26A1),
    (0x26AA, 0x26AB), (0x26BD, 0x26BE), (0x26C4, 0x26C5), (0x26CE, 0x26CE), (0x26D4, 0x26D4),
    (0x26EA, 0x26EA), (0x26F2, 0x26F3), (0x26F5, 0x26F5), (0x26FA, 0x26FA), (0x26FD, 0x26FD),
    (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728), (0x274C, 0x274C), (0x274E, 0x274E),
    (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797), (0x27B0, 0x27B0), (0x27BF, 0x27BF),
    (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
)
#: The Supplementary Multilingual Plane's symbol and pictograph blocks, Mahjong Tiles (U+1F000)
#: to Symbols and Pictographs Extended-A (U+1FAFF), plus U+1FC00–U+1FFFD, which Unicode
#: reserves for future pictographs (Extended_Pictographic). Every emoji with a code point above
#: U+FFFF is here, with the regional indicators (flags) and skin-tone modifiers.
SMP_PICTOGRAPHS: tuple[tuple[int, int], ...] = ((0x1F000, 0x1FAFF), (0x1FC00, 0x1FFFD))
#: U+FE0F asks for emoji presentation; U+E0020–U+E007F are the tag characters of flag sequences.
EMOJI_FORMAT = ((0xFE0F, 0xFE0F), (0xE0020, 0xE007F))


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def is_emoji(ch: str) -> bool:
    """True for an emoji (or a character that makes one): see the tables above."""
    if len(ch) != 1:
        return False
    cp = ord(ch)
    if cp < 0x231A or 0x2B55 < cp < 0xFE0F or 0xFE0F < cp < 0x1F000:
        return False  # most text (and every hanzi below U+1F000) is decided here
    if cp <= 0x2B55:
        return _in(cp, BMP_EMOJI_PRESENTATION)
    return _in(cp, SMP_PICTOGRAPHS) or _in(cp, EMOJI_FORMAT)


def is_private_use(ch: str) -> bool:
    """True for a private-use code point: U+E000–U+F8FF and all of planes 15–16 (U+F0000 up; their
    last two code points are noncharacters, never printable either)."""
    return len(ch) == 1 and (unicodedata.category(ch) == "Co" or ord(ch) >= 0xF0000)


def refusal(ch: str) -> str | None:
    """Why ``ch`` is never drawn (``"emoji"`` or ``"private use"``), or None if it may be."""
    if is_private_use(ch):
        return N_("private use")  # marked for the catalog: the report translates it where it shows it
    if is_emoji(ch):
        return N_("emoji")
    return None
