"""`paiban.text.phrases._Counts` gives jieba exactly the prefix dictionary jieba builds itself.

jieba's ``gen_pfdict`` maps every word of its list to its count and every other beginning of a
word to 0, and sums the counts; `_Counts` answers the same from the list's lines sorted. Checked
for every entry of the dictionary jieba ships, for fragments that are not entries, and on the
cuts themselves: the words of every paragraph of the sample articles are jieba's own.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import jieba
import pytest

from paiban.input.article_reader import read_article
from paiban.text.phrases import _Counts, _tokenizer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def jieba_built() -> jieba.Tokenizer:
    """A tokenizer with the prefix dictionary jieba builds (not its cache in the temporary folder)."""
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True
    return tokenizer


@pytest.fixture(scope="module")
def raw() -> bytes:
    with jieba.Tokenizer().get_dict_file() as f:
        return f.read()


def test_every_entry_and_the_total_are_jiebas(jieba_built: jieba.Tokenizer, raw: bytes) -> None:
    counts, total = _Counts.read(raw)
    assert total == jieba_built.total
    freq = jieba_built.FREQ
    assert len(freq) > 400_000
    assert [k for k, v in freq.items() if k not in counts or counts[k] != v or counts.get(k) != v] == []
    assert counts["B超"] == freq["B超"]  # listed twice


def test_fragments_that_are_no_entry_are_absent(jieba_built: jieba.Tokenizer, raw: bytes) -> None:
    counts, _ = _Counts.read(raw)
    words = sorted(jieba_built.FREQ)
    rng = random.Random(17)
    fragments = [rng.choice(words) + rng.choice(words)[:k] for k in (1, 2, 3) for _ in range(3000)]
    fragments += ["", " ", "中 国", "中国\n", "\U00020000", "zzzz", "aaaa"]
    for fragment in fragments:
        assert (fragment in counts) == (fragment in jieba_built.FREQ), fragment
        assert counts.get(fragment) == jieba_built.FREQ.get(fragment), fragment
        if fragment not in jieba_built.FREQ:
            with pytest.raises(KeyError):
                counts[fragment]


def test_a_word_listed_twice_takes_its_last_count() -> None:
    raw = "中国 5 ns\n中国人 3 n\n国 7 n\n中国 9 ns\n".encode()
    counts, total = _Counts.read(raw)
    tokenizer = jieba.Tokenizer()
    freq, their_total = tokenizer.gen_pfdict(io.BytesIO(raw))
    assert total == their_total == 24
    assert {k: counts[k] for k in freq} == freq == {"中": 0, "中国": 9, "中国人": 3, "国": 7}
    assert "中国人民" not in counts and counts.get("国人") is None


@pytest.mark.parametrize("raw", [b"a 1 n\nb 2\n", b"a 1 n\r\nb 2 n\r\n", b"a 1 n x\nb 2 n\n", b" a 1 n\n",
                                 b"a 1 n\n\nb 2 n\n", b"a x n\n"])
def test_a_list_not_laid_out_as_jiebas_is_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        _Counts.read(raw)


def test_cuts_are_jiebas(jieba_built: jieba.Tokenizer) -> None:
    texts = []
    for path in sorted((ROOT / "layouts" / "articles").glob("*.txt"))[:40]:
        article = read_article(path)
        texts += [p.text for p in article.paragraphs]
    assert len(texts) > 100
    ours = _tokenizer()
    for text in texts:
        assert list(ours.cut(text, HMM=True)) == list(jieba_built.cut(text, HMM=True)), text
