"""Lengths and sizes: millimetres, points, Chinese type sizes (号) and named page sizes.

Sources: the 号 table follows the Chinese point-size convention listed in
../shared/reference/typography.md §5 (初号 42 pt … 七号 5.5 pt); page sizes are the usual
newspaper sheet sizes (broadsheet/对开 ≈ 390 × 546 mm, tabloid/四开 ≈ 273 × 390 mm).
"""

from __future__ import annotations

import re
from paiban.i18n import _

PT_PER_MM = 72.0 / 25.4

#: Chinese type sizes in points (typography.md §5; letterpress variants in brackets there).
HAO_SIZES_PT: dict[str, float] = {
    "初号": 42.0,
    "小初": 36.0,
    "一号": 26.0,
    "小一": 24.0,
    "二号": 22.0,
    "小二": 18.0,
    "三号": 16.0,
    "小三": 15.0,
    "四号": 14.0,
    "小四": 12.0,
    "五号": 10.5,
    "小五": 9.0,
    "六号": 7.5,
    "小六": 6.5,
    "七号": 5.5,
}

#: Page sizes (width, height) in millimetres.
PAGE_SIZES_MM: dict[str, tuple[float, float]] = {
    "broadsheet": (390.0, 546.0),
    "对开": (390.0, 546.0),
    "tabloid": (273.0, 390.0),
    "四开": (273.0, 390.0),
    "a3": (297.0, 420.0),
    "a4": (210.0, 297.0),
}

_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(mm|pt|cm|in)?\s*$")
_FACTORS = {"mm": PT_PER_MM, "pt": 1.0, "cm": 10 * PT_PER_MM, "in": 72.0, None: None}


def mm(value: float) -> float:
    """Millimetres to points."""
    return value * PT_PER_MM


def parse_length(value: object, default_unit: str = "mm") -> float:
    """Parse ``12``, ``12mm``, ``9pt``, ``1.5cm`` into points. Raises ValueError with a reason."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) * (_FACTORS[default_unit] or 1.0)
    if isinstance(value, str):
        m = _LENGTH.match(value)
        if m:
            unit = m.group(2) or default_unit
            return float(m.group(1)) * _FACTORS[unit]
    raise ValueError(_("expected a length such as 12mm or 9pt, got {value!r}").format(value=value))


def parse_type_size(value: object) -> float:
    """Parse a type size: a 号 name (``小五``), ``9pt``, ``3.2mm`` or a number of points."""
    if isinstance(value, str) and value.strip() in HAO_SIZES_PT:
        return HAO_SIZES_PT[value.strip()]
    try:
        size = parse_length(value, default_unit="pt")
    except ValueError:
        names = "、".join(HAO_SIZES_PT)
        raise ValueError(_("expected a type size in pt or a 号 name ({names}), got {value!r}").format(
            names=names, value=value)) from None
    if size <= 0:
        raise ValueError(_("type size must be positive, got {value!r}").format(value=value))
    return size


CHINESE_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (page numbers in jump lines)."""
    if n <= 0:
        raise ValueError(_("page numbers start at 1"))
    if n < 10:
        return CHINESE_DIGITS[n]
    if n < 100:
        tens = CHINESE_DIGITS[n // 10] if n >= 20 else ""  # 十二, not 一十二
        return tens + "十" + (CHINESE_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        head, rest = CHINESE_DIGITS[n // 100] + "百", n % 100
        if rest < 10:
            return head + ("零" + CHINESE_DIGITS[rest] if rest else "")
        return head + CHINESE_DIGITS[rest // 10] + "十" + (CHINESE_DIGITS[rest % 10] if rest % 10 else "")
    return str(n)


PAGE_NUMERALS = ("chinese", "arabic")


def page_numeral(n: int, numerals: str = "chinese") -> str:
    """A page number as the running head and the jump lines print it: 二 (chinese) or 2 (arabic)."""
    return str(n) if numerals == "arabic" else chinese_numeral(n)
