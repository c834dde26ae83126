"""Whether a student's markdown can be shown in nbgrader's pages without running anything.

formgrader (where TAs grade, logged in to their Jupyter server) and nbgrader's feedback template
render markdown cells with nbconvert's `markdown2html` and no sanitising: both templates replace
the one block where nbconvert's `sanitize_html` option would apply. A student's `<script>`,
`<img onerror=...>`, `[link](javascript:...)` or MathJax `\\href{javascript:...}` would run in the
TA's session or the student's feedback page. Guessing which markdown is dangerous is a losing
game, so the cell is rendered with that same function and its HTML is accepted only if every tag
fits a small grammar that every browser parses alike: a tag and attribute allowlist (what
markdown itself produces), double-quoted attribute values, links and images to http(s)/mailto,
relative addresses or embedded raster images, and no MathJax macro that makes links, styles or
new macros. The source's own tag-like text must fit the same grammar, so that a renderer that
reads HTML more eagerly (another nbconvert version) finds nothing more. Anything else is shown
as plain text (`as_plain_text`), which is always safe.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

BUDGET = 200_000  # characters of markdown rendered per notebook; the rest is shown as text (renderer time)
_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z-]*(?:="[^"<>]*")?)*)\s*/?>')
_TAG_LIKE = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|/[A-Za-z]|[!?])")  # what a renderer may take for HTML
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^\s<>\"]*>", re.I)
_ATTRIBUTE = re.compile(r'\s+([a-z][a-z-]*)(?:="([^"<>]*)")?')
_TAGS = frozenset("a abbr acronym b blockquote br code dd del div dl dt em h1 h2 h3 h4 h5 h6 hr i img input kbd li "
                  "ol p pre s span strong sub sup table tbody td th thead tr ul".split())
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}, "acronym": {"title"},
               "ol": {"start"}, "input": {"type", "disabled", "checked"}, "th": {"style"}, "td": {"style"},
               **{f"h{level}": {"id"} for level in range(1, 7)}}
_VALUES = {"style": re.compile(r"text-align:\s*(left|right|center);?"), "type": re.compile("checkbox"),
           "start": re.compile(r"\d{1,9}")}
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|bmp)[;,]|attachment:")
# MathJax (loaded by both pages) turns these into links, styles, attributes, loaded extensions or new
# macros; without the definitions, no other macro can stand for them.
_TEX = re.compile(r"\\(href|url|style|class|cssId|unicode|require|bbox|enclose|mmlToken|mathtip|texttip|toggle|"
                  r"def|gdef|edef|xdef|let|newcommand|renewcommand|providecommand|newenvironment|renewenvironment|"
                  r"DeclareMathOperator|Newextarrow)(?![A-Za-z])")


@cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter()


def rendered(source: str, attachments: dict | None = None) -> str:
    """The HTML formgrader and nbgrader's feedback show for this markdown (default settings)."""
    return _exporter().markdown2html({"cell": {"attachments": attachments or {}}}, source)


def _address_ok(name: str, value: str, tag: str) -> bool:
    # Browsers ignore control characters and spaces in a URL's scheme; so does this check.
    address = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(value)).lower()
    scheme = _SCHEME.match(address)
    if scheme is None or scheme.group(1) in _LINK_SCHEMES:
        return True
    return tag == "img" and name == "src" and _IMAGE.match(address) is not None


def _tag_ok(tag: str, attributes: str) -> bool:
    if tag not in _TAGS:
        return False
    for name, value in _ATTRIBUTE.findall(attributes):
        if name != "class" and name not in _ATTRIBUTES.get(tag, ()):
            return False
        if name in _VALUES and not _VALUES[name].fullmatch(value):
            return False
        if name in ("href", "src") and not _address_ok(name, value, tag):
            return False
    return True


def _tags_ok(text: str, starts: Iterator[int]) -> bool:
    for start in starts:
        tag = _TAG.match(text, start)
        if tag is None or not _tag_ok(tag.group(2), tag.group(3)):
            return False
    return True


def is_safe(source: str, attachments: dict | None = None) -> bool:
    """True when the rendered markdown has only allowed tags, attributes and addresses, and no
    MathJax macro that could make a link, a style or a macro. The source's own tag-like text must
    pass the same check, so that another renderer (a TA's other nbconvert) cannot read more HTML
    into it than this one did."""
    page = rendered(source, attachments)
    return (not _TEX.search(html.unescape(page))
            and _tags_ok(source, (m.start() for m in _TAG_LIKE.finditer(source) if not _AUTOLINK.match(source, m.start())))
            and _tags_ok(page, (m.start() for m in re.finditer("<", page))))


def as_plain_text(source: str) -> str:
    """Markdown that shows `source` as it is: a `<pre>` block ends only at `</pre>`, which the
    escaping removes, and MathJax skips `<pre>`."""
    return f"<pre>{html.escape(source, quote=False)}</pre>"
