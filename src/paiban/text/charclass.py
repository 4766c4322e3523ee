"""Character classes, line-breaking prohibitions and punctuation widths, as data with sources.

Sources:
* W3C clreq (Requirements for Chinese Text Layout), §3.1.7 "Prohibition rules for line start and
  line end" (basic level), and §3.1.6 "Unbreakable units" (`——`, `……`, numbers, Latin words).
* GB/T 15834—2011 §5.1 (punctuation positioning: a line never starts with 句号、逗号、顿号、分号、
  冒号、问号、叹号 or the closing half of quotes, brackets and book-title marks; never ends with
  their opening half; 破折号 and 省略号 take two character cells and are never split).
* xeCJK (CTeX-org/ctex-kit xeCJK.dtx) punctuation styles quanjiao/kaiming/banjiao/hangmobanjiao.
* ../shared/reference/typography.md §1–3 for what the seed newspaper shows.
"""

from __future__ import annotations

from paiban.model.items import CharClass

#: opening marks (clreq §3.1.7 "not at line end"; GB/T 15834 §5.1.9)
OPENING = frozenset("“‘「『（〔【［｛〖〘《〈(［[{")
#: closing marks (clreq §3.1.7 "not at line start")
CLOSING = frozenset("”’」』）〕】］｝〗〙》〉)]}")
#: 点号 with the blank on the right (GB/T 15834 §4.1, §5.1.10)
POINTS = frozenset("，。、；：？！")
#: marks the style sets at ½ em with centred ink (clreq §3.1.5 interpunct, solidus)
MIDDLES = frozenset("·・／")
#: sentence-end points that kaiming keeps at 1 em (xeCJK kaiming)
FULL_STOPS = frozenset("。？！")

#: clreq §3.1.7 basic level: characters that must not start a line
NOT_AT_LINE_START = frozenset("、，。：；！？" "”’」』）〕】］｝〗〙》〉" "–—～" "·・" "/／" "％%")
#: clreq §3.1.7 basic level: characters that must not end a line
NOT_AT_LINE_END = frozenset("“‘「『（〔【［｛〖〘《〈" "￥＄")

#: GB/T 15834—2011 §5.1.10 (标点符号的位置): 句号、逗号、顿号、分号、冒号、问号、叹号 and the closing half of
#: quotes, brackets and book-title marks never start a line; their opening half never ends one
NOT_AT_LINE_START_GB = frozenset("、，。：；！？" "”’」』）〕】］｝〗〙》〉")
NOT_AT_LINE_END_GB = frozenset("“‘「『（〔【［｛〖〘《〈")
#: strict level: clreq basic plus the JIS X 4051 / CSS `line-break: strict` additions: ellipsis,
#: iteration marks, small kana, prolonged sound mark, wave dash, degree and prime signs
NOT_AT_LINE_START_STRICT = NOT_AT_LINE_START | frozenset(
    "…‥" "々〻ゝゞヽヾ" "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ" "ー‐゠〜" "°′″℃‰" "‼⁇⁈⁉")
NOT_AT_LINE_END_STRICT = NOT_AT_LINE_END | frozenset("＃#№")

#: (not at line start, not at line end) per kinsoku level (spec.KinsokuLevel)
KINSOKU_LEVELS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "gb": (NOT_AT_LINE_START_GB, NOT_AT_LINE_END_GB),
    "basic": (NOT_AT_LINE_START, NOT_AT_LINE_END),
    "strict": (NOT_AT_LINE_START_STRICT, NOT_AT_LINE_END_STRICT),
}

#: characters that join a digit run when followed by a digit (25.9, 2023-2025, 1,300, 3:2)
NUMBER_JOINERS = frozenset(".,:-/")
#: characters that end a digit run and stay with it (25.9%, 100℃)
NUMBER_SUFFIXES = frozenset("%‰℃")


def classify(ch: str) -> CharClass:
    """The class of one character."""
    if ch in POINTS:
        return CharClass.POINT
    if ch in OPENING:
        return CharClass.OPEN
    if ch in CLOSING:
        return CharClass.CLOSE
    if ch in MIDDLES:
        return CharClass.MIDDLE
    if ch == "\u2014":
        return CharClass.DASH
    if ch == "\u2026":
        return CharClass.ELLIPSIS
    if ch == "\u3000":
        return CharClass.SPACE
    if "0" <= ch <= "9":
        return CharClass.DIGIT
    if ch == " ":
        return CharClass.LATIN_SPACE
    if ch.isascii() and ch.isalpha() or "\u00c0" <= ch <= "\u024f":
        return CharClass.LATIN
    if ch.isascii() or ch in "％‰℃":
        return CharClass.OTHER
    return CharClass.HAN


# Punctuation widths in em on the grid, per style (typography.md §3; xeCJK styles).
# Each entry: class -> (width inside the line). Line-start/line-end trimming and adjacent-pair
# compression are rules in itemize.py, driven by BLANK_SIDE below.
_PUNCT = (CharClass.OPEN, CharClass.CLOSE, CharClass.POINT)

PUNCT_WIDTH: dict[str, dict[CharClass, float]] = {
    "quanjiao": {c: 1.0 for c in _PUNCT},
    "hangmobanjiao": {c: 1.0 for c in _PUNCT},
    "kaiming": {c: 0.5 for c in _PUNCT},  # 。？！ are 1 em: see FULL_STOPS
    "banjiao": {c: 0.5 for c in _PUNCT},
    "font": {c: 1.0 for c in _PUNCT},  # as CJK fonts draw them; no trimming, no pair compression
}

#: where the blank of a full-width mark sits in a GB (mainland) font: "left" or "right"
BLANK_SIDE: dict[CharClass, str] = {
    CharClass.OPEN: "left",
    CharClass.CLOSE: "right",
    CharClass.POINT: "right",
}

#: The start of a line (`itemize.line_start_width`, the one rule both line breakers and the
#: renderer apply): the first unit of a line is set at its `Unit.start_width`, a mark without the
#: blank on its start side (typography.md §3: "at line start/end: outer blank trimmed"). This says
#: whether that holds after a paragraph's first-line indent too. It does: clreq, First-line Indents
#: (段首缩排, https://www.w3.org/TR/clreq/#first_line_indents): "若首行行首出现开始夹注符号，可以缩减该符号
#: 始侧二分之一个汉字大小的空白" (an opening bracket or quote that begins a paragraph's first line may
#: lose the half em of blank on its start side), so the blank before its ink is the indent, as before
#: a hanzi. False would keep its full width after the indent (`“中国` in quanjiao after a 2-em indent:
#: 2 + 1 + 2 em instead of 2 + ½ + 2). Banjiao, the seed paper's style, has no blank to trim (every
#: mark is ½ em wherever it stands), so the seed's lines do not depend on it.
TRIM_AFTER_INDENT = True

#: styles that compress an adjacent pair of marks (`”。` `，“` `》！`) by ½ em (GB/T 15834 §5.1.10)
PAIR_COMPRESSION = frozenset({"quanjiao", "kaiming"})

#: width of the grid's half-width characters: digits and number punctuation (seed, typography.md §1)
HALF_WIDTH = 0.5
