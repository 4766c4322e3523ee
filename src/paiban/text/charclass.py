"""Character classes, line-breaking prohibitions and punctuation widths, as data with sources.

Sources:
* W3C clreq (Requirements for Chinese Text Layout), §3.1.7 "Prohibition rules for line start and
  line end" (basic level), and §3.1.6 "Unbreakable units" (`——`, `……`, numbers, Latin words).
* GB/T 15834—2011 §5.1 (punctuation positioning: a line never starts with 句号、逗号、顿号、分号、
  冒号、问号、叹号 or the closing half of quotes, brackets and book-title marks; never ends with
  their opening half; 破折号 and 省略号 take two character cells and are never split).
* xeCJK (CTeX-org/ctex-kit xeCJK.dtx) punctuation styles quanjiao/kaiming/banjiao/hangmobanjiao.
* ../shared/reference/typography.md §1–3 for what the seed newspaper shows.
* Unicode UAX #14 (Line Breaking Algorithm): LB22 (no break before the ellipsis, class IN), LB25
  (a number keeps its prefix PR and postfix PO signs), and the classes PR/PO it names; W3C JLREQ
  Appendix A cl-19/cl-20 (prefixed and postfixed abbreviations: `¥ $ £ €`, `° ′ ″ ℃ % ‰ ¢`).
* CSS Text Module Level 3 §5.3 `line-break`: a break before the inseparable `‥ …` only at `loose`.
* BIPM SI Brochure (9th ed.) §5.4.3: a value and its unit symbol are one quantity.
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

#: the ellipsis never starts a line at any level paiban offers (all three are newspaper styles):
#: UAX #14 LB22 (× IN) and CSS Text 3 `line-break` (a break before `‥ …` only at `loose`)
ELLIPSES = frozenset("…‥")
#: superscripts and subscripts (`m²`, `CO₂`, `10⁻³`) belong to what they follow: narrow (the font's
#: advance, never a hanzi cell) and never at a line start, at every level (UAX #14 gives them the
#: classes of letters, AL/AI, so they break as part of their word)
SUPER_SUBSCRIPTS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")

#: clreq §3.1.7 basic level: characters that must not start a line (plus ELLIPSES, SUPER_SUBSCRIPTS)
NOT_AT_LINE_START = frozenset("、，。：；！？" "”’」』）〕】］｝〗〙》〉" "–—～" "·・" "/／" "％%") | ELLIPSES \
    | SUPER_SUBSCRIPTS
#: clreq §3.1.7 basic level: characters that must not end a line
NOT_AT_LINE_END = frozenset("“‘「『（〔【［｛〖〘《〈" "￥＄")

#: GB/T 15834—2011 §5.1.10 (标点符号的位置): 句号、逗号、顿号、分号、冒号、问号、叹号 and the closing half of
#: quotes, brackets and book-title marks never start a line; their opening half never ends one
NOT_AT_LINE_START_GB = frozenset("、，。：；！？" "”’」』）〕】］｝〗〙》〉") | ELLIPSES | SUPER_SUBSCRIPTS
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

#: characters that join a digit run when followed by a digit (25.9, 2023-2025, 1,300, 3:2, 120°12′30″)
NUMBER_JOINERS = frozenset(".,:-/°′")
#: signs that stay before a number (UAX #14 class PR, JLREQ cl-19; `+ − ±` as signs)
NUMBER_PREFIXES = frozenset("$£¥€₩₹＄￥￡+−±")
#: signs that end a number and stay with it (UAX #14 class PO, JLREQ cl-20): 25.9%, 100℃, 3‰
NUMBER_SUFFIXES = frozenset("%‰‱°′″‴℃℉¢％￠")
#: proportional symbols: set at the font's advance, never in a grid cell (Noto Serif CJK SC draws
#: `%` 0.92 em and `‰ ℃` 1 em wide: in a ½-em cell they overprint the digit before them)
PROPORTIONAL_SYMBOLS = NUMBER_PREFIXES | NUMBER_SUFFIXES
#: unit symbols that stay with the number before them, with or without a space (SI Brochure
#: §5.4.3: the value and the unit are one quantity; the units news copy prints), longest first
#: where one begins another
NUMBER_UNITS = ("km/h", "m/s²", "m/s", "km²", "km³", "cm²", "cm³", "mm²", "dm³", "m²", "m³", "°C", "°F",
                "kWh", "kW", "MW", "GW", "mAh", "kHz", "MHz", "GHz", "Hz", "kPa", "MPa", "hPa", "Pa",
                "kV", "mA", "dB", "GB", "MB", "TB", "km", "cm", "mm", "nm", "μm", "kg", "mg", "μg",
                "mL", "ml", "min", "m", "g", "t", "h", "s")
#: a number longer than this with hyphens in it (an ISBN `978-7-5086-1234-5`, a phone number) may
#: break after a hyphen; `2024-05-01` and `2023-2025` stay whole
LONG_NUMBER = 10

#: URLs and e-mail addresses break after these (a run of them counts as one: `https://`), never
#: after `.` (which would read as a sentence end), and take no justification space inside
URL_BREAK_AFTER = frozenset("/-?&")
#: Latin words wider than this (em) get hyphenation points, used only when a line holds nothing
#: else (a word longer than the measure); longer than HYPHENATE_MAX_CHARS is no word: left whole
HYPHENATE_MIN_WIDTH = 5.0
HYPHENATE_MAX_CHARS = 100
#: pyphen's dictionary (the Hunspell/LibreOffice hyphenation patterns it ships)
HYPHENATION_LANGUAGE = "en_US"


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
    if ch.isascii() or ch in PROPORTIONAL_SYMBOLS or ch in SUPER_SUBSCRIPTS:
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

#: width of the grid's half-width characters (seed, typography.md §1): a digit's cell; a number
#: unit (digits at ½ em, its other characters at the font's advance) is as wide as the next multiple
HALF_WIDTH = 0.5
#: a digit wider than this (em) keeps its advance instead of the ½-em cell: its ink would not fit
#: there (Noto Serif CJK SC's digits are 0.47–0.56 em wide with ink within 0.47 em: ½-em cells, as
#: the seed's paper prints them; Noto Sans CJK SC Bold's are 0.59 em with ink up to 0.54 em)
DIGIT_CELL_MAX_ADVANCE = 0.575
