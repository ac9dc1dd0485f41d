"""Text the partners wrote, shown safely: their Markdown as HTML, and the section of their account.

Every text from a partner file is hostile: a narrative or a recommendation could carry a
``<script>``, an ``<img onerror=...>`` or a ``javascript:`` link. Markdown is rendered by
markdown-it-py (CommonMark, with tables) with raw HTML disabled, so a tag shows as the text it
is. Links are kept only when they go to an ``http(s)`` address with a host, or are relative and
stay inside the bundle (:func:`allowed_link`); any other link shows as the Markdown the partner
wrote. Images are never shown (the bundle holds no partner images): their alt text is, in
brackets. The partner's headings are moved below the heading of the section that holds them.

The HTML is shown with :func:`assess.report.display.display_html`, never as notebook Markdown
(nbconvert passes raw HTML in Markdown through).
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

#: The folder of the chapter pages inside a bundle, from which relative links are resolved.
PAGE_FOLDER = "html"

#: What the account section says of the figures in it.
PARTNERS_FIGURES = (
    "This is the partnership's own account, in its members' words. Any figure in it is the partners' own: "
    "it was not computed by assess and has not been checked against the data in this report."
)


def allowed_link(url: str, page_folder: str = PAGE_FOLDER) -> bool:
    """True for a link a partner's text may carry: ``http``/``https`` with a host, or a relative
    link (a page, a file, an ``#anchor``) that, resolved from ``page_folder`` of the bundle, stays
    inside it. False for every other scheme (``javascript:``, ``data:``, ``file:``, ``mailto:``
    ...), for ``//host`` and ``/absolute`` paths, backslashes, and paths that climb out."""
    text = url.strip()
    if not text or "\\" in text or any(ord(c) < 32 for c in text):
        return False
    parts = urlsplit(text)
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    if parts.netloc or text.startswith("/"):
        return False
    path = unquote(parts.path)
    if ":" in path.split("/", 1)[0] or "\\" in path:
        return False  # looks like a scheme to some reader, or a Windows path
    if not path:
        return True  # an anchor on the page, or a query
    resolved = posixpath.normpath(posixpath.join(page_folder, path))
    return not (resolved == ".." or resolved.startswith("../") or resolved.startswith("/"))


def _is_web(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() in ("http", "https")


@lru_cache(maxsize=8)
def _renderer(heading_offset: int) -> MarkdownIt:
    """A CommonMark renderer (with tables) without raw HTML, images or unsafe links."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.validateLink = allowed_link  # type: ignore[method-assign]

    def shift_headings(state: Any) -> None:
        for token in state.tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1]) + heading_offset)}"

    md.core.ruler.push("assess_shift_headings", shift_headings)

    def image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        alt = self.renderInlineAsText(tokens[idx].children or [], options, env).strip()
        text = f"[image not shown: {alt}]" if alt else "[image not shown]"
        return f'<span class="assess-image-omitted">{escapeHtml(text)}</span>'

    def link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        if _is_web(str(token.attrGet("href") or "")):
            token.attrSet("rel", "noopener noreferrer")
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("image", image)
    md.add_render_rule("link_open", link_open)
    return md


def render_markdown(text: str, *, heading_offset: int = 2) -> str:
    """``text`` (a partner's Markdown) as safe HTML; a partner's ``#`` heading becomes
    ``<h{1 + heading_offset}>`` (at most ``<h6>``)."""
    return _renderer(heading_offset).render(text).strip()


def long_date(day: dt.date) -> str:
    """``15 May 2025`` (English month names whatever the locale)."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
    return f"{day.day} {months[day.month - 1]} {day.year}"


def account_anchor(key: str, chapter: str) -> str:
    """The id of an account's section: ``partners-account`` for a chapter's own account, else
    ``partners-account-<key>`` (a topic's, within its chapter)."""
    return "partners-account" if key == chapter else f"partners-account-{key}"


def account_html(
    markdown: str, *, author: str, date: dt.date, title: str | None, level: int, anchor: str
) -> str:
    """The section of a partners' account: a heading that marks it as theirs (``<h{level}>``),
    who wrote it and when, that its figures are the partners' own, then their text."""
    if not 1 <= level <= 5:
        raise ValueError(f"heading level {level}: an account's heading is h1 to h5")
    heading = "The partners' account" + (f": {title}" if title else "")
    return (
        f'<section class="assess-partner-account" id="{html.escape(anchor, quote=True)}">'
        f"<h{level}>{html.escape(heading)}</h{level}>"
        f'<p class="assess-account-byline">Written by <strong>{html.escape(author)}</strong>, '
        f"{html.escape(long_date(date))}.</p>"
        f'<p class="assess-account-caveat">{html.escape(PARTNERS_FIGURES)}</p>'
        f'<div class="assess-account-body">{render_markdown(markdown, heading_offset=level)}</div>'
        "</section>"
    )


def account_plain(markdown: str, *, author: str, date: dt.date, title: str | None) -> str:
    """The plain-text alternative of :func:`account_html` (kept in the executed notebook)."""
    heading = "The partners' account" + (f": {title}" if title else "")
    return f"{heading}\nWritten by {author}, {long_date(date)}.\n{PARTNERS_FIGURES}\n\n{markdown}"
