"""The layout spec model: what a layout YAML says, validated and in points.

Geometry is on the page grid: the type area is `Grid.columns` basic columns of `column_chars`
characters of the body size, separated by `gutter_chars`; vertically it is `Grid.rows` lines of
`line_pitch`. Regions are rectangles on that grid (1-based, inclusive column and line ranges); a
region splits into `text_columns` text columns of equal measure. A story flows through its
`thread`, an ordered list of region names that may lie on several pages.

The widths and positions of regions and their text columns are worked out here and nowhere
else (`Grid.span_width_chars`, `Grid.text_column_chars`, `Region.left`, `Region.right`,
`Region.width`, `Region.measure`, `Region.text_column_x`, `Region.column_rule_x`): the loader
checks them, the flow fills them, the page draws in them. Widths come in grid characters (the
`_chars` methods: multiples of the body size) or in pt; x positions are in pt from the type
area's left edge, or from an `origin` the caller gives (the page's left margin for page
coordinates). Each is computed in one fixed order of floating-point operations, so every stage
gets the same number, to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path


class PunctStyle(str, Enum):
    """Punctuation width styles (typography.md §3; xeCJK names)."""

    QUANJIAO = "quanjiao"  # 全角: every mark 1 em
    KAIMING = "kaiming"  # 开明: 。？！ 1 em, others ½ em
    BANJIAO = "banjiao"  # 半角/对开: every mark ½ em
    HANGMOBANJIAO = "hangmobanjiao"  # 行末半角: 1 em, ½ em at line end
    FONT = "font"  # as the font draws it


class KinsokuPolicy(str, Enum):
    """What to do when a prohibited mark would start a line (typography.md §2)."""

    PUSH_OUT = "push-out"  # 只推不挤: carry the last character down
    PUSH_IN = "push-in"  # 先挤后推: squeeze the mark into the line if the line can shrink
    PUSH_OUT_FIRST = "push-out-first"  # 先推后挤


class KinsokuLevel(str, Enum):
    """Which prohibition sets apply (text/charclass.py KINSOKU_LEVELS)."""

    GB = "gb"  # GB/T 15834—2011 §5.1: points, closing quotes/brackets/book-title marks only
    BASIC = "basic"  # clreq §3.1.7 basic level (the default)
    STRICT = "strict"  # basic plus small kana, iteration marks, ellipsis, degree signs (JIS X 4051)


class Breaker(str, Enum):
    GREEDY = "greedy"  # first fit with the kinsoku policy and the house rules
    TOTAL_FIT = "total-fit"  # Knuth–Plass: minimise the paragraph's demerits


class Align(str, Enum):
    JUSTIFY = "justify"
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextStyle:
    """A named text style (body, headline, caption…): font role, size and leading, and how its
    paragraphs are punctuated, broken into lines and aligned."""

    name: str
    font: str = "song"  # font role
    size: float = 9.0  # pt
    leading: float | None = None  # pt between baselines; None: the grid's line pitch
    indent: float = 2.0  # first-line indent in em
    punctuation: PunctStyle = PunctStyle.BANJIAO
    kinsoku: KinsokuPolicy = KinsokuPolicy.PUSH_OUT
    kinsoku_level: KinsokuLevel = KinsokuLevel.BASIC
    breaker: Breaker = Breaker.GREEDY
    align: Align = Align.JUSTIFY
    #: squeeze quotes/brackets on an earlier line so a paragraph never ends on one hanzi
    avoid_orphans: bool = True
    #: when no squeeze saves an orphan, pull a character down from the line above (re-justified)
    orphan_pull_down: bool = False
    #: squeeze any mark above the jump line so the segment ends at a clause and the jump fits
    squeeze_for_jump: bool = True
    #: total em a line may be squeezed by (push-in); the renderer takes it from marks' blank by ink
    max_squeeze: float = 0.5
    #: the most a justified line may be stretched, em per gap between units: a looser line ends at
    #: the next permitted break when a squeeze reaches it, else it is reported (loose-line)
    max_stretch: float = 0.5
    #: space between Han and Latin/digits, em (clreq allows ¼); 0 in the seed's paper
    latin_spacing: float = 0.0
    #: headlines: at most this many lines (0: any); shrink the size (down to min_size) to fit
    max_lines: int = 0
    shrink_to_fit: bool = False
    min_size: float | None = None
    #: extra space between characters of a line that is not justified (headlines: 字距), em
    tracking: float = 0.0
    #: display type in the flow (subheads): break only between words (linebreak/display_breaks.py)
    word_breaks: bool = False


@dataclass(frozen=True)
class Grid:
    """The page grid: basic columns of body-size characters with their gutters, and body lines."""

    body_size: float  # pt, the size of one grid character
    columns: int  # basic columns of the page
    column_chars: int  # characters per basic column
    gutter_chars: float  # gutter between basic columns, in characters
    line_pitch: float  # pt between baselines of body lines
    rows: int  # body lines in the type area (derived from the page height when not given)

    @property
    def type_width_chars(self) -> float:
        return self.span_width_chars(self.columns)

    @property
    def type_width(self) -> float:
        return self.type_width_chars * self.body_size

    def column_x(self, column: int) -> float:
        """Left edge (pt from the type area's left) of basic column `column` (1-based)."""
        return (column - 1) * (self.column_chars + self.gutter_chars) * self.body_size

    def span_width_chars(self, span: int) -> float:
        """Width of `span` adjacent basic columns with the gutters between them, in grid characters."""
        return span * self.column_chars + (span - 1) * self.gutter_chars

    def text_column_chars(self, span: int, text_columns: int, gutter_chars: float) -> float:
        """The measure of one text column, in grid characters, when `span` basic columns are split
        into `text_columns` text columns of equal measure with `gutter_chars` between them (a
        region's text columns need not line up with the basic columns)."""
        return (self.span_width_chars(span) - (text_columns - 1) * gutter_chars) / text_columns


@dataclass(frozen=True)
class PageGeometry:
    """The page's size and where its type area starts, in pt."""

    width: float  # pt
    height: float
    margin_top: float
    margin_left: float  # the type area's left edge
    #: whole grid lines of the top margin the running head takes (`margins.running_head`): a
    #: page with the masthead has no running head, so its type area starts that many lines
    #: higher and has as many more lines (`Layout.grid_top`, `Layout.rows_on`)
    head_lines: int = 0

    @property
    def type_top(self) -> float:
        """Distance of the type area's top from the page's bottom edge (PDF coordinates)."""
        return self.height - self.margin_top


class RegionKind(str, Enum):
    TEXT = "text"  # body text flows here
    HEADLINE = "headline"  # a story's headline block
    PICTURE = "picture"  # an image with its caption; text regions flow around it
    MASTHEAD = "masthead"  # 报头: the paper's name, date, issue numbers (page 1)


@dataclass(frozen=True)
class Box:
    """A frame around a region (框), its padding and a tint behind it."""

    padding: float = 1.0  # characters of the body size, inside the frame
    stroke: float = 0.5  # pt; 0 draws no line
    tint: tuple[float, float, float, float] | None = None  # CMYK 0..1


@dataclass(frozen=True)
class Picture:
    """The image of a picture region and its caption."""

    image: Path
    caption: str = ""  # 图片说明, with its credit (本报记者 XX 摄)
    caption_style: str = "caption"
    #: the image's size in pixels, read (and the image decoded once) when the layout was loaded;
    #: (0, 0): unknown, read from the file when the page is composed
    pixels: tuple[int, int] = (0, 0)
    #: how the image takes its frame (`PictureFit`): fill crops to cover the region, fit takes the
    #: region's width and as many whole lines as the image needs, contain fits inside, centred
    fit: str = "fill"
    #: the point to keep in view when cropping (fill, fit), as fractions of the image from its
    #: left and top edges
    focus: tuple[float, float] = (0.5, 0.5)


@dataclass(frozen=True)
class Region:
    """A rectangle of the page grid (1-based, inclusive columns and lines) holding body text, a
    headline, a picture or the masthead."""

    name: str
    page: int  # page number (1-based, as printed)
    kind: RegionKind
    first_column: int  # basic columns, 1-based inclusive
    last_column: int
    first_line: int  # grid lines, 1-based inclusive
    last_line: int
    text_columns: int = 1  # text columns the region is split into
    gutter_chars: float = 1.0
    picture: Picture | None = None  # picture regions
    box: Box | None = None
    column_rules: bool = False  # hairlines centred in the gutters between its text columns
    rule_below: bool = False  # a rule under the region (between stories)
    #: "horizontal", or "vertical" (竖排: lines top to bottom, right to left; model/vertical_geometry.py)
    writing_mode: str = "horizontal"
    #: vertical text: numbers of at most this many digits stand upright across the column (纵中横)
    tate_chu_yoko: int = 2

    @property
    def span(self) -> int:
        return self.last_column - self.first_column + 1

    @property
    def lines(self) -> int:
        return self.last_line - self.first_line + 1

    # geometry on `grid` (the layout's); x positions in pt from `origin` (default: the type
    # area's left edge), `origin` added first, as every caller has always added it

    def left(self, grid: Grid, origin: float = 0.0) -> float:
        """Left edge of the region's first basic column, pt from `origin`."""
        return origin + grid.column_x(self.first_column)

    def right(self, grid: Grid, origin: float = 0.0) -> float:
        """Right edge of the region's last basic column, pt from `origin`."""
        return origin + grid.column_x(self.last_column) + grid.column_chars * grid.body_size

    def width_chars(self, grid: Grid) -> float:
        """Width of the region's basic columns and the gutters between them."""
        return grid.span_width_chars(self.span)

    def width(self, grid: Grid) -> float:
        """`width_chars` in pt (the width a headline is set in). Not always `right - left` to the
        last bit: furniture drawn edge to edge (pictures, boxes, rules) takes those edges."""
        return self.width_chars(grid) * grid.body_size

    def measure_chars(self, grid: Grid) -> float:
        """The measure of one of the region's text columns, in grid characters."""
        return grid.text_column_chars(self.span, self.text_columns, self.gutter_chars)

    def measure(self, grid: Grid) -> float:
        """The measure of one of the region's text columns, in pt (before a box's padding)."""
        return self.measure_chars(grid) * grid.body_size

    def text_column_x(self, grid: Grid, column: int) -> float:
        """Left edge of text column `column` (0-based), pt from the type area's left edge
        (before a box's padding)."""
        return self.left(grid) + column * (self.measure_chars(grid) + self.gutter_chars) * grid.body_size

    def column_rule_x(self, grid: Grid, column: int, origin: float = 0.0) -> float:
        """The middle of the gutter left of text column `column` (1-based: the first gutter is
        left of column 1), where a column rule runs; pt from `origin`."""
        gutter_left = self.left(grid) + (column * self.measure_chars(grid) + (column - 1) * self.gutter_chars) \
            * grid.body_size
        return origin + gutter_left + self.gutter_chars * grid.body_size / 2


@dataclass(frozen=True)
class StorySpec:
    """A story of the layout: its article, the regions its text flows through (`thread`), its
    headline's region and the styles of its parts."""

    name: str
    article: Path
    thread: tuple[str, ...]  # region names in flow order
    headline_region: str | None = None
    body_style: str = "body"
    subhead_style: str = "subhead"
    byline_style: str = "byline"
    headline_style: str = "headline"
    kicker_style: str = "kicker"
    subtitle_style: str = "subtitle"
    continued_style: str = "continued"
    dateline_style: str = "dateline"
    #: equalise the lines per column of the story's final segment (shortfall in the last column)
    balance: bool = True
    #: a subhead never stands as the last line of a column
    keep_subhead_with_next: bool = True
    #: a paragraph's first line never sits alone at the foot of a column
    no_lone_first_line: bool = False
    #: repeat the main headline (续题) above the 上接 line where the story continues on another page
    repeat_headline: bool = False
    #: the layout's kicker (引题) and subtitle (副题), over the article's (a scanned column has none)
    kicker_text: str | None = None
    subtitle_text: str | None = None


@dataclass(frozen=True)
class JumpTemplates:
    """Words of the jump lines; `{page}` becomes a Chinese numeral (二, 十二)."""

    to_page: str = "（下转第{page}版）"
    from_page: str = "（上接第{page}版）"


@dataclass(frozen=True)
class Edition:
    """Edition variables for the running head and the masthead."""

    paper: str = ""  # the paper's name
    date: str = ""  # ISO date, 2024-01-05
    issue: str = ""  # 第1234期
    serial: str = ""  # 总第5678期
    cn: str = ""  # CN 37-0001
    credits: str = ""  # 责任编辑：… 美编：… 校对：…
    sections: dict[int, str] = field(hash=False, default_factory=dict)  # page → 要闻
    page_label: str = "第{page}版"  # {page}: the page number in page_numerals; {page_cn}: 二, 十二
    page_numerals: str = "chinese"  # {page} of the page label and the jump lines: 二 (chinese) or 2 (arabic)
    running_head: bool = True  # 版眉 on every page but page 1
    masthead_image: Path | None = None  # the paper's name as an image instead of type
    masthead_pixels: tuple[int, int] = (0, 0)  # its size in pixels; (0, 0): unknown


@dataclass(frozen=True)
class Limits:
    """What a build reads at most (docs/layout-spec.md, `limits`): an input beyond a limit is an
    input error, so a nightly job never runs out of memory or time on a bad file. The defaults
    fit a broadsheet with room to spare."""

    #: an article file, in bytes (1 MB = 1,048,576): 1 MB is ~340,000 hanzi, thirty full broadsheet pages of text
    article_size: int = 1 << 20
    #: one paragraph, in characters: more than a whole broadsheet page of text (~11,500)
    paragraph_chars: int = 20_000
    #: one picture, in pixels: 64 MP holds any camera's photo (61 MP) and a full broadsheet page
    #: (390 × 546 mm) at 400 dpi (53 MP)
    picture_pixels: int = 64_000_000
    #: one picture decoded (its pixels × 1, 2 or 4 bytes by its mode), and its file, in bytes:
    #: a 64 MP RGB or CMYK picture takes 256 MB (Pillow keeps 4 bytes a pixel)
    picture_memory: int = 256 << 20


@dataclass(frozen=True)
class Press:
    """What the printing plant receives (docs/print.md, ``press:`` in a layout or edition file)."""

    pdfx: str = "x-4"  # "x-4" (PDF/X-4) or "x-1a" (PDF/X-1a:2001)
    #: the printing condition's CMYK ICC profile; None: Ghostscript's default_cmyk.icc
    profile: Path | None = None
    #: the output intent's OutputConditionIdentifier ("" : the profile's description), e.g. IFRA26
    output_condition_identifier: str = ""
    output_condition: str = ""  # a description of the printing condition (paper, process)
    registry_name: str = ""  # where the identifier is registered, e.g. http://www.color.org
    bleed: float = 3 * 72 / 25.4  # pt beyond the trim on every side
    marks: bool = True  # crop and registration marks and the slug line; false for proofs
    rendering_intent: str = "perceptual"  # pictures → CMYK: perceptual, relative, saturation, absolute


@dataclass(frozen=True)
class Layout:
    """A layout file, validated and in points: page, grid, styles, regions and stories."""

    source: Path
    title: str
    page: PageGeometry
    grid: Grid
    pages: tuple[int, ...]  # page numbers in output order
    #: the dict fields compare (two layouts that differ in a style are not equal) but do not hash
    styles: dict[str, TextStyle] = field(hash=False, default_factory=dict)
    regions: dict[str, Region] = field(hash=False, default_factory=dict)
    stories: tuple[StorySpec, ...] = ()
    jumps: JumpTemplates = field(default_factory=JumpTemplates)
    #: role name → font file override (path, optional face index) from the layout
    font_overrides: dict[str, tuple[Path, int]] = field(hash=False, default_factory=dict)
    #: a font roles YAML named by the layout (`fonts:`); None: the packaged default
    roles_file: Path | None = None
    edition: Edition = field(default_factory=Edition)
    #: pictures below this effective resolution are reported (print preflight)
    min_dpi: float = 150.0
    #: a paragraph left ending on one hanzi (单字成行) is reported as a "warn"ing or an "error"
    #: that makes the build unclean (`--strict` fails): `preflight: {single_hanzi_lines: …}`
    single_hanzi_lines: str = "warn"
    #: the input limits the layout was checked against (articles are read against them too)
    limits: Limits = field(default_factory=Limits)
    #: the press PDF's settings: PDF/X version, output profile, bleed, marks
    press: Press = field(default_factory=Press)

    @cached_property
    def _masthead_pages(self) -> frozenset[int]:
        return frozenset(r.page for r in self.regions.values() if r.kind is RegionKind.MASTHEAD)

    def grid_top(self, page: int) -> float:
        """The top of grid line 1 on `page` (PDF coordinates): the type area's top, or
        `PageGeometry.head_lines` lines higher on a page with the masthead."""
        top = self.page.type_top
        return top + self.page.head_lines * self.grid.line_pitch if page in self._masthead_pages else top

    def rows_on(self, page: int) -> int:
        """Grid lines on `page`: `Grid.rows`, and `PageGeometry.head_lines` more with the masthead."""
        return self.grid.rows + (self.page.head_lines if page in self._masthead_pages else 0)
