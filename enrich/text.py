"""Readable text for profile pages: abstracts and titles without LaTeX or markup.

Sources hand us three kinds of raw text: arXiv abstracts and titles written in LaTeX (``Bal\\'azs``,
``$84.2\\%$``, ``\\url{...}``), OpenAlex/Crossref abstracts carrying JATS or HTML tags and entities
(``<jats:p>``, ``&amp;``), and plain text that merely contains ``$``, ``%``, ``<`` or ``&``
(``US$50``, ``90% of``, ``p < 0.05``, ``R&D``). ``clean_text`` turns all three into one line of
Unicode text and never raises: when pylatexenc cannot convert a string, the whitespace-normalised
original is kept, so no text is ever lost.

Decisions, with the real record that motivated each:

* Mathematics is rendered with pylatexenc's ``math_mode="text"``: ``$\\alpha$`` -> ``α``,
  ``$O(n \\log n)$`` -> ``O(n log n)``. Sub- and superscripts keep their ``^``/``_``; a script
  whose rendered argument is longer than one character keeps its braces, so
  ``$(1^{+1.39}_{-0.59})$`` -> ``(1^{+1.39}_{-0.59})`` and ``$x^{n-1}$`` -> ``x^{n-1}``
  (not the ambiguous ``x^n-1``), while ``$x^2$`` -> ``x^2``.
* A ``$`` opens inline math only when a closing ``$`` follows with no space just inside either
  delimiter and no digit right after the closing one, and the span looks like mathematics (no
  space inside, or an operator, brace, backslash or non-ASCII symbol). Anything else is a
  literal dollar: OpenAlex W1972656833 ("$162,000 ... $27,000/yr") keeps its prices.
* A bare ``%`` is a literal percent, not a LaTeX comment: arXiv 0704.0006 writes "90% of".
* ``~`` between two words is a LaTeX tie and becomes a space (``of~$X$``); a ``~`` next to a
  space, after ``/`` (URLs), or between a letter and a digit means "about" or is part of a path
  and is kept: arXiv 0704.0017 "near ~500-600 km/s", 0704.0133 "z~2.56", 0704.0155 ".../~vdtak/".
* Unknown macros (paper-specific, e.g. ``\\XQM`` in arXiv 0704.0029) print their name without
  the backslash rather than vanish; ``\\cite{key}`` prints ``[key]``; ``\\url{u}`` prints ``u``.
* Only entities ending in ``;`` are decoded, so query strings such as ``&notify=1`` survive;
  only known HTML/JATS tag names (or any namespaced tag such as ``jats:p``) are removed, so
  ``a < b`` and ``<x>`` survive. ``<sup>``/``<sub>`` around digits and signs become Unicode
  super/subscripts (``CO<sub>2</sub>`` -> ``CO₂``), other sub/sup text is kept as is.
* ``--``/``---`` become en/em dashes, except before a letter (``--verbose`` is a flag); TeX
  quotes become curly ones only when the text opens one with two backquotes.
* Fast path: text without ``\\``, ``$``, ``<`` or ``&`` never reaches pylatexenc; it only gets
  the tie, dash and quote rules above (so ``{}`` in such text is left as it is). In LaTeX text
  only the "islands" (math, macros with their arguments, braced groups) go through pylatexenc,
  whose tokenizer costs tens of microseconds a character; the plain stretches between them get
  the same cheap rules. This made the LaTeX path about ten times faster on the recorded arXiv
  abstracts, with identical output.
"""

from __future__ import annotations

import html
import re

from enrich._latex import latex_to_text, plain_to_text

__all__ = ["clean_text", "clean_title"]

# C0/C1 control characters that str.split() does not already treat as whitespace.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BLOCK_TAGS = (
    "p|div|br|hr|li|ul|ol|h[1-6]|title|sec|abstract|list|list-item|label|caption|table|tr|td|th|"
    "blockquote|disp-formula|break|def-list|def-item|term|def|boxed-text|fig|section|article"
)
_INLINE_TAGS = (
    "i|b|em|strong|sub|sup|span|a|u|s|small|big|tt|code|font|italic|bold|sc|underline|monospace|"
    "overline|strike|inline-formula|tex-math|math|mi|mo|mn|ms|mtext|mrow|msub|msup|msubsup|mfrac|"
    "msqrt|mover|munder|ext-link|xref|named-content|styled-content|uri|email|fn"
)
_TAG_TAIL = r"""(?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+))*\s*/?>"""
# Namespaced tags (jats:p, ns4:italic, mml:mi) or known HTML/JATS names only.
_TAG = re.compile(
    rf"</?(?:[A-Za-z][\w.-]*:[A-Za-z][\w.-]*|(?:{_BLOCK_TAGS}|{_INLINE_TAGS})){_TAG_TAIL}", re.I
)
_BLOCK_TAG_NAME = re.compile(rf"</?(?:[\w.-]+:)?(?:{_BLOCK_TAGS})\b", re.I)
_SCRIPT_TAG = re.compile(r"<(sup|sub)>([0-9+\-−=()]{1,12})</\1>", re.I)
_SUPERSCRIPTS = str.maketrans("0123456789+-−=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾")
_SUBSCRIPTS = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_HEADING_TAG = re.compile(r"^\s*<((?:[\w.-]+:)?(?:title|h[1-6]))\b[^>]*>\s*abstract\s*[:.]?\s*</\1\s*>", re.I)
_HEADING_WORD = re.compile(r"^(?:abstract|ABSTRACT|Abstract)(?:\s*[:.—–-]\s*|\s+(?=[A-Z0-9]))")


def clean_text(raw: str | None) -> str | None:
    """Turn a raw abstract (LaTeX, JATS/HTML or plain text) into one line of readable Unicode.

    A leading "Abstract" heading (``<jats:title>Abstract</jats:title>``, ``<h2>Abstract</h2>`` or
    a bare "Abstract"/"ABSTRACT" word before a capitalised sentence) is dropped.

    Args:
        raw: The text as the source delivered it.

    Returns:
        The cleaned text, or None when nothing readable is left (None, empty or blank input).
    """
    return _clean(raw, drop_heading=True)


def clean_title(raw: str | None) -> str | None:
    """Clean a title like ``clean_text``, but keep a leading word "Abstract" (a title may start so).

    Args:
        raw: The title as the source delivered it.

    Returns:
        The cleaned title, or None when nothing readable is left.
    """
    return _clean(raw, drop_heading=False)


def _clean(raw: str | None, *, drop_heading: bool) -> str | None:
    if not raw or not isinstance(raw, str):
        return None
    text = raw
    if "<" in text or "&" in text:
        text = _strip_markup(text, drop_heading=drop_heading)
    text = latex_to_text(text) if "\\" in text or "$" in text else plain_to_text(text)
    if not _is_one_clean_line(text):
        # str.split() is several times faster than a regex over the whole abstract.
        text = " ".join((_CONTROL.sub(" ", text) if _CONTROL.search(text) else text).split())
    if drop_heading and text[:1] in "aA":
        for _ in range(2):  # OpenAlex W2136087731 starts "Abstract Abstract Governmental ..."
            text = _HEADING_WORD.sub("", text, count=1)
    return text or None


def _is_one_clean_line(text: str) -> bool:
    """True if splitting and joining on whitespace would not change the text (most abstracts).

    Every whitespace character but the space, and every control character, is non-printable to
    ``str.isprintable``; the test costs a fifth of the split and join it spares.
    """
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def _strip_markup(text: str, *, drop_heading: bool) -> str:
    for _ in range(3):  # double-escaped markup: OpenAlex W4393133779 "&lt;i&gt;Oncorhynchus"
        unescaped = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
        if unescaped == text:
            break
        text = unescaped
    if drop_heading:
        text = _HEADING_TAG.sub("", text, count=1)
    text = _SCRIPT_TAG.sub(_script_tag, text)
    return _TAG.sub(lambda m: " " if _BLOCK_TAG_NAME.match(m.group(0)) else "", text)


def _script_tag(match: re.Match[str]) -> str:
    table = _SUPERSCRIPTS if match.group(1).lower() == "sup" else _SUBSCRIPTS
    return match.group(2).translate(table)
