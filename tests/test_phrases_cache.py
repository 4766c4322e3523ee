"""The segmenter's results are kept in the cache folder, so a build does not load jieba (~0.4 s)
for text it has segmented before; the words are the same either way."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
from paiban.text import phrases
phrases.preload()
print("|".join(phrases.words(sys.argv[1])))
phrases.save()
print("jieba" in sys.modules)
"""


def _words(cache, text: str) -> tuple[str, bool]:
    env = dict(os.environ, PAIBAN_CACHE_DIR=str(cache))
    out = subprocess.run([sys.executable, "-c", SCRIPT, text], env=env, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return out[0], out[1] == "True"


def test_a_text_segmented_before_is_read_back_without_loading_jieba(tmp_path):
    text = "港区集装箱航线再添新成员"
    first, loaded_first = _words(tmp_path, text)
    again, loaded_again = _words(tmp_path, text)
    assert first == again == "港区|集装箱|航线|再添|新|成员"
    assert loaded_first and not loaded_again


def test_a_damaged_entry_is_segmented_again(tmp_path):
    text = "中学生科创实验室向社会开放"
    first, _ = _words(tmp_path, text)
    for entry in (tmp_path / "phrases").iterdir():
        data = bytearray(entry.read_bytes())
        data[len(data) // 2] ^= 0x01  # one bit flipped: the seal no longer matches
        entry.write_bytes(bytes(data))
    again, loaded = _words(tmp_path, text)
    assert again == first and loaded
