"""Read an article file (UTF-8) into the `Article` model.

Two body formats, chosen per file:

* **Plain**: optional YAML front matter between `---` lines (kicker/引题, headline/主题,
  subtitle/副题, byline, dateline), then paragraphs separated by blank lines. A paragraph written
  as `## text` is a subhead; so is a short paragraph ending in `——`.
* **Front matter** is read with the layouts' position-keeping reader in its strict text mode
  (`paiban.input.yaml_source.parse_text_yaml`): `key: value` lines of the known keys only
  (`FRONT_MATTER_KEYS`; an unknown key is an error naming it), each value the text as written
  (`headline: NO` is `NO`, `1.10` is `1.10`, `2024-13-45` is text; quotes and `\n` escapes as in
  YAML), never a list or mapping; no anchors, aliases or tags; `format` is `scan` or `plain`;
  at most `MAX_FRONT_MATTER_CHARS` in all and `MAX_FRONT_MATTER_VALUE` characters a value.
  Every mistake is an `InputError` ``file:line:col: key: message`` (exit 2).
* **Scanned column** (`format: scan` in front matter, or detected): the seed's format, one printed
  line per text line. Two leading spaces start a paragraph; blank lines are column breaks (not
  paragraph breaks); a line with a space between every character is letter-spaced (the spaces are
  not text); `———` (an OCR artefact) is the 2-em dash `——`; a single space between two hanzi is a
  full-width space U+3000; the first line is the byline when it starts with □/■; a trailing jump
  line such as `（下转第二版）` is dropped (paiban makes its own); lines after it are the headline.
"""

from __future__ import annotations

import re
from pathlib import Path

from paiban.errors import InputError, Where
from paiban.input.input_files import FileProblem, read_input_bytes
from paiban.input.yaml_source import Node, did_you_mean, parse_text_yaml
from paiban.model.article import Article, Headline, Paragraph, ParagraphKind
from paiban.i18n import _

#: Front matter key → `Article` field (the Chinese names are the same keys).
FRONT_MATTER_KEYS = {
    "kicker": "kicker", "引题": "kicker",
    "headline": "main", "主题": "main",
    "subtitle": "subtitle", "副题": "subtitle",
    "byline": "byline", "dateline": "dateline",
    "format": "format",
}
#: The typed keys: their allowed values (every other key is text as written).
FRONT_MATTER_CHOICES = {"format": ("scan", "plain")}
#: Limits: the front matter's length, one value's length (characters), how deep values may nest
#: before the reader stops (a value must be text anyway; this bounds what it reads to say so).
MAX_FRONT_MATTER_CHARS = 256 * 1024
MAX_FRONT_MATTER_VALUE = 1000
MAX_FRONT_MATTER_DEPTH = 4
#: The largest article file read at all (the largest `limits.article_size` a layout may set; the
#: build checks the layout's own limit before reading).
MAX_ARTICLE_BYTES = 1 << 30

JUMP_LINE = re.compile(r"[（(](?:下转|转)第[一二三四五六七八九十百〇零\d]+版[）)]\s*$")
CONTINUED_LINE = re.compile(r"^\s*[（(]上接第[一二三四五六七八九十百〇零\d]+版[）)]")
#: the OCR's three-stroke dash `———`, alone (a longer run is the author's and is kept)
DASH_RUN = re.compile(r"(?<!—)———(?!—)")
#: a subhead: short, ends with a 2-em dash (the seed's 小标题 end with `——`)
SUBHEAD_MAX_CHARS = 30


def read_article(path: Path, max_bytes: int = MAX_ARTICLE_BYTES, limit_name: str | None = None) -> Article:
    """Read `path`; raises InputError for a missing, unreadable, undecodable or empty file, a file
    that is not a regular file (a FIFO, a device) or is larger than `max_bytes`, and for any
    mistake in the front matter (naming its line, column and key)."""
    try:
        raw = read_input_bytes(path, max_bytes, "article file", limit_name)
    except FileNotFoundError:
        raise InputError(_("article file not found"), Where(path)) from None
    except FileProblem as exc:
        raise InputError(str(exc), Where(path)) from None
    except OSError as exc:
        raise InputError(_("cannot read article file: {value}").format(
            value=exc.strerror or exc), Where(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(_("article is not valid UTF-8"), Where(path, line)) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body, first_line = _split_front_matter(text, path)
    lines = body.split("\n")
    scan = meta.pop("format", None)
    if scan == "scan" or (scan is None and _looks_scanned(lines)):
        article = _read_scanned(path, lines, first_line, meta)
    else:
        article = _read_plain(path, lines, first_line, meta)
    if not article.paragraphs:
        raise InputError(_("article has no text"), Where(path, 1))
    return article


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, str], str, int]:
    """(the front matter's fields, the body, the body's first line number)."""
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---\n", 3)
    if end < 0:
        raise InputError(_("front matter opened with --- is never closed"), Where(path, 1))
    body_start = end + len("\n---\n")
    return _front_matter(text[4:end], path), text[body_start:], text[:body_start].count("\n") + 1


def _front_matter(block: str, path: Path) -> dict[str, str]:
    """The front matter (`block`, from line 2 of the file) → {Article field: text}, each value
    stripped (an empty value is no text); read as the module's docstring says."""
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise InputError(_("the front matter is {count:,} characters long, more than {limit:,}").format(
            count=len(block), limit=MAX_FRONT_MATTER_CHARS),
                         Where(path, 2, 1))
    root = parse_text_yaml(block, path, line_offset=1, max_depth=MAX_FRONT_MATTER_DEPTH)
    if root is None:
        return {}
    if not root.is_mapping:
        raise root.error(_("the front matter must be key: value lines (headline: …, byline: …), got {value}").format(
            value=_("a list") if root.is_sequence else _("a single text")))
    root.check_keys(tuple(FRONT_MATTER_KEYS))
    meta: dict[str, str] = {}
    given: dict[str, tuple[str, Node]] = {}  # field → (key, its node): 主题 and headline are one field
    for key, node in root.items():
        field = FRONT_MATTER_KEYS[key]
        if field in given:
            first, first_node = given[field]
            line = (first_node.key_where or first_node.where).line
            raise node.error(_("the same as {first} (line {line}); give one").format(
                first=first, line=line), at_key=True)
        given[field] = (key, node)
        value = node.as_str(allow_empty=True).strip()
        if len(value) > MAX_FRONT_MATTER_VALUE:
            raise node.error(_("{count:,} characters is too long; a front matter value is at most {limit:,}").format(
                count=len(value), limit=MAX_FRONT_MATTER_VALUE))
        choices = FRONT_MATTER_CHOICES.get(key)
        if choices is not None and value not in choices:
            shown = repr(value) if len(value) <= 40 else repr(value[:37]) + "…"
            raise node.error(_("{shown} is not a {key};{hint} use one of: {choices}").format(
                shown=shown, key=key, hint=did_you_mean(value, choices), choices=', '.join(choices)))
        meta[field] = value
    return meta


def _headline(meta: dict[str, str]) -> Headline:
    return Headline(meta.get("kicker", ""), meta.get("main", ""), meta.get("subtitle", ""))


def _looks_scanned(lines: list[str]) -> bool:
    """A scanned column: most non-empty lines are short and paragraphs start with two spaces."""
    stripped = [text for ln in lines if (text := ln.strip())]
    if len(stripped) < 4:
        return False
    short = sum(1 for text in stripped if len(text) <= 24)
    if short < 0.8 * len(stripped):  # the usual plain article stops here, before the slower count
        return False
    indented = sum(1 for ln in lines if ln.startswith("  ") and not ln.startswith("   ") and ln.strip())
    return indented >= 1 and indented < 0.7 * len(stripped)


# ---------------------------------------------------------------- plain


def _read_plain(path: Path, lines: list[str], first_line: int, meta: dict[str, str]) -> Article:
    paragraphs: list[Paragraph] = []
    chunk: list[str] = []  # the paragraph's lines, stripped
    start = first_line
    body = ParagraphKind.BODY
    for number, line in enumerate(lines, first_line):
        text = line.strip()
        if text:
            if not chunk:
                start = number
            chunk.append(text)
        elif chunk:
            # the common case, a one-line paragraph without dashes or `## `, needs no cleaning
            if len(chunk) == 1 and "—" not in chunk[0] and not chunk[0].startswith("## "):
                paragraphs.append(Paragraph(chunk[0], body, start))
            else:
                _add_paragraph(paragraphs, chunk, start)
            chunk = []
    if chunk:
        _add_paragraph(paragraphs, chunk, start)
    return _article(path, _headline(meta), meta.get("byline", ""), paragraphs, meta)


def _add_paragraph(paragraphs: list[Paragraph], chunk: list[str], start: int) -> None:
    """The general path: join the stripped lines of `chunk`, clean, spot a subhead."""
    text = _clean_text("".join(chunk) if _all_cjk_joins(chunk) else " ".join(chunk))
    kind = ParagraphKind.BODY
    if text.startswith("## "):
        text, kind = text[3:].strip(), ParagraphKind.SUBHEAD
    elif _is_subhead(text):
        kind = ParagraphKind.SUBHEAD
    if text:
        paragraphs.append(Paragraph(text, kind, start))


def _all_cjk_joins(chunk: list[str]) -> bool:
    """Join wrapped lines without a space unless both sides of the join are Latin."""
    for a, b in zip(chunk, chunk[1:]):
        a, b = a.rstrip(), b.lstrip()
        if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
            return False
    return True


# ---------------------------------------------------------------- scanned column


def _read_scanned(path: Path, lines: list[str], first_line: int, meta: dict[str, str]) -> Article:
    numbered = [(first_line + i, ln.rstrip()) for i, ln in enumerate(lines)]
    content = [(n, ln) for n, ln in numbered if ln.strip()]
    byline = meta.get("byline", "")
    if content and content[0][1].strip()[:1] in ("□", "■"):
        byline = _clean_line(content[0][1].strip())
        content = content[1:]
    headline_lines: list[str] = []
    for i in range(len(content) - 1, -1, -1):
        if JUMP_LINE.search(content[i][1]):
            headline_lines = [ln.strip() for _, ln in content[i + 1:]]
            n, ln = content[i]
            content = content[:i] + [(n, JUMP_LINE.sub("", ln))]
            break
    if content and CONTINUED_LINE.match(content[0][1]):
        n, ln = content[0]
        content[0] = (n, CONTINUED_LINE.sub("", ln))
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    start = 0
    for n, ln in content:
        if ln.startswith("  ") and current:
            paragraphs.append(_scanned_paragraph(current, start))
            current = []
        if not current:
            start = n
        current.append(_clean_line(ln.strip()))
    if current:
        paragraphs.append(_scanned_paragraph(current, start))
    headline = _headline(meta)
    if headline.is_empty() and headline_lines:
        headline = Headline(main="\n".join(_clean_line(h) for h in headline_lines if h))
    return _article(path, headline, byline, [p for p in paragraphs if p.text], meta)


def _article(path: Path, headline: Headline, byline: str, paragraphs: list[Paragraph],
             meta: dict[str, str]) -> Article:
    """The article, with the byline (if any) as its first paragraph and the dateline
    (本报讯（记者 李涛）) run into the first body paragraph, before a full-width space."""
    if byline:
        paragraphs.insert(0, Paragraph(byline, ParagraphKind.BYLINE, 0))
    dateline = meta.get("dateline", "")
    for i, para in enumerate(paragraphs if dateline else ()):
        if para.kind is ParagraphKind.BODY:
            paragraphs[i] = Paragraph(dateline + "\u3000" + para.text, para.kind, para.source_line, len(dateline))
            break
    return Article(path, headline, byline, dateline, tuple(paragraphs))


def _scanned_paragraph(lines: list[str], start: int) -> Paragraph:
    text = "".join(lines)
    return Paragraph(text, ParagraphKind.SUBHEAD if _is_subhead(text) else ParagraphKind.BODY, start)


def _clean_line(line: str) -> str:
    """One printed line: undo letter-spacing, fix OCR dashes, spaces between hanzi are U+3000."""
    chars = line.split(" ")
    if len(chars) >= 4 and all(len(c) == 1 or c.startswith("—") for c in chars):
        line = "".join(chars)  # letter-spaced justified line
    line = DASH_RUN.sub("——", line)
    line = re.sub(r"——\s+", "——", line)  # OCR puts a space after its 3-stroke dash
    line = re.sub(r"(?<=\S) (?=\S)",
                  lambda m: " " if line[m.start() - 1].isascii() and line[m.start() + 1].isascii() else "\u3000",
                  line)
    return _clean_text(line)


def _clean_text(text: str) -> str:
    return DASH_RUN.sub("——", text.strip())


def _is_subhead(text: str) -> bool:
    return text.endswith("——") and len(text) <= SUBHEAD_MAX_CHARS and "。" not in text
