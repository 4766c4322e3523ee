"""Where Chinese text may break between words: for display type (headlines, kickers, subtitles,
subheads, captions), which breaks only between words or phrases, and for the end of a page's
segment before a jump line.

The segmenter is jieba (PyPI `jieba`, MIT). On the 33 headlines, kickers and subtitles of the
sample articles it keeps every word whole (港区|集装箱|航线|再添|新|成员, 中学生|科创|实验室,
老城区|今年|再建|二十|座), where BudouX, the other candidate, cut 集装|箱, 地|铁六|号线, 首|批 and
客逾. HMM is on so numbers (`13.7%`) and unknown words stay whole.

jieba builds its prefix dictionary from the word list it ships (~0.4 s a process; paiban does
not use jieba's own serialized cache in the temporary folder). So that a build does not pay it
each time, the words found are kept in the font cache folder (`fonts.disk_cache`, a sealed JSON
entry keyed by jieba's version and the code identity): text → word lengths. `preload` reads
them before a pool forks; jieba is loaded only for a text not seen before; `save` adds the new
ones (a build's process and its workers each save theirs; a lost race costs only speed).

`boundaries` gives the offsets between words, `weak_boundaries` those of them next to a
one-character word (`六号|线`, `当|上`), which display type takes only when it must.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.metadata import version
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
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True
    return tokenizer


def _entry_key() -> str:
    return f"jieba-{version('jieba')}"


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
