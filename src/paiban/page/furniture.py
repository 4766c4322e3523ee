"""Page furniture: the running head (版眉), the masthead (报头), pictures with captions, column
rules, rules between stories and boxed regions (框). Everything is placed in points on the page,
from the layout's edition variables and regions; text is set with the same justification as the
body (page/justify.py), so marks and fallback fonts behave alike everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from paiban.model.picture_frame import picture_frame
from paiban.linebreak.display_breaks import break_display, breaks_word, manual_parts
from paiban.model.build_warning import BuildWarning
from paiban.model.placed import Marker, PlacedImage, PlacedLine, Rect, Rule
from paiban.model.spec import Align, Layout, Picture, Region, TextStyle
from paiban.page.glyph_source import GlyphSource
from paiban.page.justify import justify_glyphs
from paiban.text.itemize import itemize
from paiban.units import chinese_numeral, mm, page_numeral
from paiban.i18n import _

WEEKDAYS = "一二三四五六日"
BASELINE = 0.88
#: the running head's rule sits this far above the type area; its text above the rule
RUNNING_HEAD_GAP = mm(4)
HAIRLINE = 0.3  # pt


@dataclass
class Furniture:
    """What a piece of page furniture adds to a page."""

    lines: list[PlacedLine] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    images: list[PlacedImage] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    warnings: list[BuildWarning] = field(default_factory=list)


def chinese_date(iso: str) -> str:
    """2024-01-05 → 2024年1月5日 星期五."""
    import datetime  # only for a layout with a date (~1 ms to import)

    day = datetime.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def page_label(layout: Layout, number: int) -> str:
    return layout.edition.page_label.format(page=page_numeral(number, layout.edition.page_numerals),
                                            page_cn=chinese_numeral(number))


def set_text(out: Furniture, text: str, style: TextStyle, glyphs: GlyphSource, x: float, baseline: float,
             width: float, kind: str, region: str = "", grid_line: int = 0, align: Align | None = None) -> None:
    """One line of `text` in `style`, aligned in `width` pt (no breaking: the caller measured),
    added to `out`; a character no font has gets a red proof box."""
    from paiban.page.compose import placed_line  # compose imports this module

    units = itemize(text, style.punctuation.value, glyphs.latin_advance(style.font), style.latin_spacing,
                    style.kinsoku_level.value)
    positioned = justify_glyphs(units, measure=width / style.size, indent=0.0, lookup=glyphs.lookup(style.font),
                              latin_advance=glyphs.latin_advance(style.font), justify=False,
                              align=align or style.align)
    line, missing = placed_line("", region, 0, grid_line, kind, x, baseline, width, style.size, text, positioned)
    out.lines.append(line)
    out.markers.extend(missing)


def running_head(layout: Layout, number: int, glyphs: GlyphSource) -> Furniture:
    """版眉 on every page but page 1: page label and section, paper and date, credits; a rule under it."""
    out = Furniture()
    edition = layout.edition
    if not edition.running_head or number == 1 or "running_head" not in layout.styles:
        return out
    style = layout.styles["running_head"]
    left = layout.page.margin_left
    width = layout.grid.type_width
    rule_y = layout.page.type_top + RUNNING_HEAD_GAP
    baseline = rule_y + style.size * 0.5
    section = edition.sections.get(number, "")
    parts = [
        ("\u3000".join(p for p in (page_label(layout, number), section) if p), Align.LEFT),
        ("\u3000".join(p for p in (edition.paper, chinese_date(edition.date) if edition.date else "") if p),
         Align.CENTER),
        (edition.credits, Align.RIGHT),
    ]
    for text, align in parts:
        if text:
            set_text(out, text, style, glyphs, left, baseline, width, "running_head", align=align)
    out.rules.append(Rule(left, rule_y, left + width, rule_y, 0.8))
    return out


def _span(layout: Layout, region: Region) -> tuple[float, float]:
    """Left edge on the page and width (pt, edge to edge) of a region's columns."""
    grid = layout.grid
    x0 = region.left(grid)
    return layout.page.margin_left + x0, region.right(grid) - x0


def masthead(layout: Layout, region: Region, glyphs: GlyphSource, top: float) -> Furniture:
    """报头: the paper's name large (or its image), and a line with date, issue numbers and CN."""
    out = Furniture()
    edition = layout.edition
    grid = layout.grid
    left, width = _span(layout, region)
    height = region.lines * grid.line_pitch
    info_style = layout.styles["masthead_info"]
    info_h = info_style.size * 2.2
    name_h = height - info_h
    if edition.masthead_image is not None:
        out.images.append(_image(layout, None, left, top - name_h, width, name_h, out, region.page,
                                 edition.masthead_image, edition.masthead_pixels))
    elif edition.paper:
        style = layout.styles["masthead"]
        size = min(style.size, name_h * 0.8, width / max(1, len(edition.paper)) * 0.9)
        fitted = replace(style, size=size)
        baseline = top - (name_h - size) / 2 - BASELINE * size
        set_text(out, edition.paper, fitted, glyphs, left, baseline, width, "masthead", region.name,
                 region.first_line)
    info = "\u3000\u3000".join(p for p in (
        chinese_date(edition.date) if edition.date else "",
        edition.issue + (f"（{edition.serial}）" if edition.serial else ""),
        edition.cn) if p)
    rule_top = top - name_h + info_style.size * 0.3
    rule_bottom = top - height + info_style.size * 0.2
    out.rules += [Rule(left, rule_top, left + width, rule_top, 1.2),
                  Rule(left, rule_bottom, left + width, rule_bottom, 1.2),
                  Rule(left, rule_bottom + 1.6, left + width, rule_bottom + 1.6, HAIRLINE)]
    if info:
        baseline = (rule_top + rule_bottom) / 2 - 0.35 * info_style.size
        set_text(out, info, info_style, glyphs, left, baseline, width, "masthead_info", region.name,
                 region.first_line, Align.CENTER)
    return out


def picture(layout: Layout, region: Region, glyphs: GlyphSource, top: float) -> Furniture:
    """The image in its frame (`model.picture_frame`: fill, fit or contain) and under it its
    caption, on the body grid from the next line, as wide as the image and starting at its left
    edge; text flows around the lines the frame keeps."""
    out = Furniture()
    pic = region.picture
    grid = layout.grid
    left, width = _span(layout, region)
    frame = picture_frame(layout, region)
    if frame.image_lines < 2:
        out.warnings.append(BuildWarning("picture-room", _("picture region {name}: no room for the image above its "
                                                           "caption").format(
            name=region.name), region.page))
        return out
    image_h = frame.image_lines * grid.line_pitch - (grid.line_pitch - grid.body_size)
    image = _image(layout, pic, left, top - image_h, width, image_h, out, region.page)
    out.images.append(image)
    if not pic.caption:
        return out
    style = layout.styles[pic.caption_style]
    caption_lines, cuts = _caption_lines(pic.caption, style, image.w, glyphs)
    if cuts:
        story = _story_around(layout, region)
        what = _("the caption of picture region {region}").format(region=region.name)
        if story:
            what = _("story {name}: {what}").format(name=story, what=what)
        out.warnings.append(breaks_word(what, pic.caption, cuts, region.page, story))
    if len(caption_lines) > frame.caption_lines:
        out.warnings.append(BuildWarning("picture-room", _("picture region {name}: the caption takes {lines} lines, "
                                                           "{kept} were kept for it").format(
            name=region.name, lines=len(caption_lines), kept=frame.caption_lines),
                                         region.page))
    for k, text in enumerate(caption_lines):
        line = frame.image_lines + k  # 0-based from the region's first line
        baseline = top - line * grid.line_pitch - BASELINE * grid.body_size  # on the body grid
        set_text(out, text, style, glyphs, image.x, baseline, image.w, "caption", region.name,
                 region.first_line + line, Align.LEFT)
    return out


def _caption_lines(text: str, style: TextStyle, width: float, glyphs: GlyphSource) -> tuple[list[str], list[str]]:
    """The caption's lines, broken between words (and at the author's `|`); the last may be short.
    And where a line had to end inside a word (`DisplayLines.cuts`: nothing else fits the width)."""
    out, cuts = [], []
    for part in manual_parts(text):
        units = itemize(part, style.punctuation.value, glyphs.latin_advance(style.font), style.latin_spacing)
        broken = break_display(units, width / style.size, balance=False)
        out += ["".join(u.text for u in units[ln.start:ln.end]) for ln in broken.lines]
        cuts += broken.cuts
    return out, cuts


def _story_around(layout: Layout, region: Region) -> str:
    """The first story whose thread meets picture `region` on its page (its text flows around it), or ''."""
    for story in layout.stories:
        for name in story.thread:
            r = layout.regions[name]
            if r.page == region.page and r.first_line <= region.last_line and region.first_line <= r.last_line \
                    and r.first_column <= region.last_column and region.first_column <= r.last_column:
                return story.name
    return ""


def _image(layout: Layout, pic: Picture | None, left: float, bottom: float, width: float, height: float,
           out: Furniture, page: int, path=None, pixels: tuple[int, int] = (0, 0)) -> PlacedImage:
    """The image in the box: `contain` fits it inside (aspect kept, centred); `fill` and `fit`
    cover the box and crop what lies outside, keeping the picture's focal point as central as
    the image allows. Its effective resolution is checked (a warning about `page` when it is
    below the layout's minimum). The size in pixels was read when the layout was loaded (the
    picture was checked and decoded then, within the layout's limits); the file is not opened
    again unless it is unknown ((0, 0): a layout made in code). `pic` None: the masthead's image
    at `path` with `pixels`, contained."""
    if pic is not None:
        path, pixels = pic.image, pic.pixels
    px_w, px_h = pixels
    if px_w <= 0 or px_h <= 0:
        from PIL import Image

        with Image.open(path) as im:  # the header only; Pillow's own decompression-bomb check applies
            px_w, px_h = im.size
    cover = pic is not None and pic.fit != "contain"
    scale = (max if cover else min)(width / px_w, height / px_h)
    w, h = px_w * scale, px_h * scale
    dpi = px_w / (w / 72.0)
    if cover:
        fx, fy = pic.focus
        dx = min(max(fx * w - width / 2, 0.0), w - width)  # cut off at the left
        dy = min(max(fy * h - height / 2, 0.0), h - height)  # cut off at the top
        crop = (left - dx, bottom + height + dy - h, w, h) if (w, h) != (width, height) else None
        placed = PlacedImage(str(path), left, bottom, width, height, (px_w, px_h), dpi, crop)
    else:
        placed = PlacedImage(str(path), left + (width - w) / 2, bottom + (height - h), w, h, (px_w, px_h), dpi)
    if dpi < layout.min_dpi:
        out.warnings.append(BuildWarning("low-resolution", _("picture {name}: {dpi:.0f} dpi at {width:.0f} mm wide, below the {min_dpi:.0f} "
                                                             "dpi print minimum").format(
                                                                 name=path.name, dpi=dpi, width=w / 72 * 25.4,
                                                                 min_dpi=layout.min_dpi), page))
    return placed


def region_rules(layout: Layout, region: Region, top: float, last_used: int | None = None) -> Furniture:
    """Column rules centred in the region's gutters, a rule under it, its box. When `last_used`
    (the last grid line the region's text takes) is given, column rules stop there and a box
    closes one line (its padding) under it."""
    out = Furniture()
    grid = layout.grid
    x0, x1 = region.left(grid), region.right(grid)
    left = layout.page.margin_left
    lines = region.lines
    if region.box is not None and last_used is not None:
        lines = min(lines, last_used - region.first_line + 2)
    bottom = top - lines * grid.line_pitch
    if region.column_rules and region.text_columns > 1:
        # a column rule runs as far as the text does (a short final segment has short rules)
        text_lines = region.lines if last_used is None else last_used - region.first_line + 1
        rule_bottom = top - text_lines * grid.line_pitch + (grid.line_pitch - grid.body_size)
        for i in range(1, region.text_columns):
            x = region.column_rule_x(grid, i, left)
            out.rules.append(Rule(x, top, x, rule_bottom, HAIRLINE))
    if region.rule_below:
        y = bottom + (grid.line_pitch - grid.body_size) / 2
        out.rules.append(Rule(left + x0, y, left + x1, y, 0.8))
    if region.box is not None:
        box = region.box
        out.rects.append(Rect(left + x0, bottom + (grid.line_pitch - grid.body_size) / 2, x1 - x0,
                              top - bottom - (grid.line_pitch - grid.body_size) / 2, box.stroke,
                              fill_cmyk=box.tint))
    return out

