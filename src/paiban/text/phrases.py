"""Where Chinese text may break between words: for display type (headlines, kickers, subtitles,
subheads, captions), which breaks only between words or phrases, and for the end of a page's
segment before a jump line.

The segmenter is jieba (PyPI `jieba`, MIT). On the 33 headlines, kickers and subtitles of the
sample articles it keeps every word whole (港区|集装箱|航线|再添|新|成员, 中学生|科创|实验室,
老城区|今年|再建|二十|座), where BudouX, the other candidate, cut 集装|箱, 地|铁六|号线, 首|批 and
客逾. HMM is on so numbers (`13.7%`) and unknown words stay whole.

jieba would build its prefix dictionary (every word of the list it ships and every beginning of
one, ~500,000 entries) in ~0.4 s a process; paiban does not use jieba's own serialized cache in
the temporary folder. `_Counts` answers jieba's questions to that dictionary instead from the
list's lines, sorted, by bisection (~0.08 s to read and sort them and sum the counts), the same
answers (tests/test_phrases_dictionary.py checks every entry). So that a build does not pay even
that each time, the words found are kept in the font cache folder (`fonts.disk_cache`, a sealed JSON
entry keyed by jieba's version and the code identity): text → word lengths. `preload` reads
them before a pool forks; jieba is loaded only for a text not seen before; `save` adds the new
ones (a build's process and its workers each save theirs; a lost race costs only speed).

`boundaries` gives the offsets between words, `weak_boundaries` those of them next to a
one-character word (`六号|线`, `当|上`), which display type takes only when it must.
"""

from __future__ import annotations

import hashlib
import io
from array import array
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate
from typing import Any

from paiban.fonts.disk_cache import read_entry, write_entry

__all__ = ["boundaries", "preload", "save", "weak_boundaries", "words"]

#: the cache entry holds at most this many texts (past it, it starts afresh)
MAX_KEPT = 50_000
_known: dict[str, list[int]] | None = None  # text key → word lengths, from the cache
_new: dict[str, list[int]] = {}  # found in this process, not yet saved


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import jieba

    tokenizer = jieba.Tokenizer()
    with tokenizer.get_dict_file() as f:
        raw = f.read()
    try:
        tokenizer.FREQ, tokenizer.total = _Counts.read(raw)
    except ValueError:  # not laid out as jieba 0.42's list: jieba reads it (or reports it)
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(io.BytesIO(raw))
    tokenizer.initialized = True
    return tokenizer


class _Counts:
    """jieba's prefix dictionary (``Tokenizer.FREQ``: each word → its count, each beginning of a
    word that is not itself one → 0), answered from the word list's lines sorted: the lines that
    begin with a fragment follow one another, from where the fragment would be inserted.

    jieba asks it ``fragment in FREQ``, ``FREQ[fragment]`` and ``FREQ.get(fragment)``, of
    fragments of the text it cuts (runs of hanzi, letters and digits, never a space)."""

    def __init__(self, lines: _SortedLines, text: str):
        self._lines = lines  # "word count tag", sorted (`_SortedLines`)
        self._text = text  # the list as read, "\n" first: a word listed twice takes its last count
        self._memo: dict[str, int | None] = {}

    @classmethod
    def read(cls, raw: bytes) -> tuple[_Counts, int]:
        """The counts of jieba's word list ``raw`` (UTF-8 lines "word count tag") and their sum,
        as ``gen_pfdict`` gives them; ValueError for a list not laid out so."""
        text = raw.decode("utf-8")
        lines = text.split("\n")
        if lines and not lines[-1]:
            lines.pop()
        # gen_pfdict strips each line and takes its first two fields: here each line must be
        # "word count tag" as it is (two spaces a line: a line of two or four fields shifts the
        # counts onto "tag\nword" fields, which int() refuses). The counts are read line by line:
        # splitting the whole list into its ~10⁶ fields at once took ~90 MB for a moment.
        if (any(c in raw for c in b"\r\t\x0b\x0c") or "\n " in text or " \n" in text or text.startswith(" ")
                or text.count(" ") != 2 * len(lines)):
            raise ValueError("not three fields a line")
        try:
            total = sum([int(line.split(" ", 2)[1]) for line in lines])
        except IndexError:  # an empty line
            raise ValueError("not three fields a line") from None
        lines.sort()
        return cls(_SortedLines(lines), "\n" + text), total

    def __getitem__(self, fragment: str) -> int:
        count = self.get(fragment)
        if count is None:
            raise KeyError(fragment)
        return count

    def __contains__(self, fragment: object) -> bool:
        return isinstance(fragment, str) and self.get(fragment) is not None

    def get(self, fragment: str, default: int | None = None) -> int | None:
        try:
            count = self._memo[fragment]
        except KeyError:
            count = self._memo[fragment] = self._count(fragment)
        return default if count is None else count

    def _count(self, fragment: str) -> int | None:
        if not fragment or " " in fragment or "\n" in fragment:
            return None  # no word holds a space or a line break
        lines = self._lines
        at = bisect_left(lines, fragment)
        if at == len(lines) or not lines[at].startswith(fragment):
            return None  # begins no word
        word = fragment + " "
        at = bisect_left(lines, word, at)
        if at == len(lines) or not lines[at].startswith(word):
            return 0  # begins words, is none
        line = lines[at]
        if at + 1 < len(lines) and lines[at + 1].startswith(word):  # listed twice: the last line counts
            start = self._text.rfind("\n" + word) + 1
            end = self._text.find("\n", start)
            line = self._text[start:end if end >= 0 else None]
        return int(line.split(" ")[1])


class _SortedLines:
    """The word list's lines, sorted, as one string and where each line starts: what bisection
    needs (``len`` and the i-th line) in ~7 MB, where a list of 350,000 strings took ~35 MB for
    as long as the process lives."""

    def __init__(self, lines: list[str]):
        self._text = "\n".join(lines) + "\n"
        self._starts = array("I", [0])
        self._starts.extend(accumulate(len(line) + 1 for line in lines))

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, i: int) -> str:
        return self._text[self._starts[i]:self._starts[i + 1] - 1]


def _entry_key() -> str:
    """The cache entry's key: every entry's key holds the code identity, and with it jieba's
    version (`paiban.code_identity.LIBRARIES`), so an upgraded jieba finds none of the old words."""
    return "jieba"


def _cached() -> dict[str, list[int]]:
    global _known
    if _known is None:
        data = read_entry("phrases", _entry_key())
        _known = data if isinstance(data, dict) else {}
    return _known


def _text_key(text: str) -> str:
    return text if len(text) <= 64 else "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def preload() -> None:
    """Read the words found before (before a pool forks, so workers share them)."""
    _cached()


def save() -> None:
    """Add the words found in this process to the cache entry."""
    if not _new:
        return
    stored = read_entry("phrases", _entry_key())
    merged = stored if isinstance(stored, dict) and len(stored) + len(_new) <= MAX_KEPT else {}
    merged.update(_new)
    write_entry("phrases", _entry_key(), merged)
    _new.clear()


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """`text` cut into words; joined, they give `text` back."""
    key = _text_key(text)
    lengths = _cached().get(key)
    if lengths is None or sum(lengths) != len(text):
        found = tuple(_tokenizer().cut(text, HMM=True))
        lengths = _known[key] = _new[key] = [len(w) for w in found]  # type: ignore[index]
        return found
    out, at = [], 0
    for n in lengths:
        out.append(text[at:at + n])
        at += n
    return tuple(out)


@lru_cache(maxsize=8192)
def boundaries(text: str) -> frozenset[int]:
    """Offsets 0 < i < len(text) between two words: a break there cuts no word or number."""
    out, at = set(), 0
    for word in words(text)[:-1]:
        at += len(word)
        out.add(at)
    return frozenset(out)


@lru_cache(maxsize=8192)
def weak_boundaries(text: str) -> frozenset[int]:
    """The `boundaries` next to a one-hanzi word (`地铁六号|线`): allowed, but a last resort."""
    out, at = set(), 0
    parts = words(text)
    for i, word in enumerate(parts[:-1]):
        at += len(word)
        if _single_hanzi(word) or _single_hanzi(parts[i + 1]):
            out.add(at)
    return frozenset(out)


def _single_hanzi(word: str) -> bool:
    return len(word) == 1 and "\u3400" <= word <= "\u9fff"
