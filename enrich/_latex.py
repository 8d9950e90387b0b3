"""LaTeX to readable Unicode for ``enrich.text``: pylatexenc, configured once, on LaTeX islands only.

See ``enrich.text`` for the rendering decisions; the real records behind each rule are quoted
where the rule is made.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexwalker import LatexCharsNode, LatexGroupNode, LatexMacroNode, LatexWalker
from pylatexenc.latexwalker import get_default_latex_context_db as get_walker_context_db

# "$" up to the next unescaped "$" (a backslash escapes the next character), with no space just
# inside either and no digit after the closing one. Possessive runs: a lazy scan, one character at
# a time, took most of the time of long abstracts that quote prices.
_MATH_CANDIDATE = re.compile(r"\$\$.+?\$\$|\$(?![\s$])[^\\$]*+(?:\\.[^\\$]*+)*+(?<!\s)\$(?!\d)", re.S)
_MATHLIKE = re.compile(r"[\\^_{}=<>+\-*/|()\[\]]|[^\x00-\x7f]")
_URL = re.compile(r"\\url\s*\{([^{}]*)\}|(?:https?://|www\.)[^\s<>\"{}\\]+[^\s<>\"{}\\.,;:!?)\]']")
_HREF = re.compile(r"\\href\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_GLUED_MACRO = re.compile(r"(\\[A-Za-z]+)(?=[^\x00-\x7f])")  # arXiv API: "\mathbfθ"
_TILDE = re.compile(r"(?<!\\)~")
_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_PH_OPEN}([0-9]+){_PH_CLOSE}")


# Operator names get the space LaTeX typesets before them: "m\\log n" reads "m log n".
_OPERATOR_NAMES = (
    "log ln lg exp sin cos tan sec csc cot sinh cosh tanh arcsin arccos arctan lim liminf limsup "
    "sup inf max min det dim ker deg gcd arg hom Pr"
)
_OPERATORS = frozenset(_OPERATOR_NAMES.split())
_WORD_END = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789)]}")


class _Latex2Text(LatexNodes2Text):  # type: ignore[misc]  # pylatexenc ships no type hints
    """LatexNodes2Text that keeps the source's spaces and braces multi-character scripts.

    pylatexenc drops whitespace between two constructs and after ``\\pi`` before a word
    (arXiv 0704.0039 "\\pi\\pi scattering" -> "ππscattering"); we keep one space there and let
    whitespace normalisation tidy up. Operators such as ``\\log`` get the space LaTeX would
    typeset (arXiv 0704.0062 "$\\Theta(m\\log n)$" -> "Θ(m log n)").
    """

    def nodelist_to_text(self, nodelist: list[Any]) -> str:
        parts: list[str] = []
        previous: Any = None
        for node in nodelist:
            if (
                isinstance(node, LatexGroupNode)
                and isinstance(previous, LatexCharsNode)
                and previous.chars.endswith(("^", "_"))
            ):
                node.is_script_argument = True
            if isinstance(node, LatexCharsNode) and not node.chars.strip():
                text = " "
            else:
                text = str(self.node_to_text(node))
            if _needs_space(previous, node, parts, text):
                parts.append(" ")
            parts.append(text)
            previous = node
        return "".join(parts)

    def group_node_to_text(self, node: Any) -> str:
        text = str(super().group_node_to_text(node))
        if getattr(node, "is_script_argument", False) and len(text.strip()) > 1:
            return "{" + text.strip() + "}"
        return text.strip() if getattr(node, "is_script_argument", False) else text


def _needs_space(previous: Any, node: Any, parts: list[str], text: str) -> bool:
    """Keep a space after ``\\pi`` before a word, and before an operator after a word."""
    if not (text[:1].strip() and parts and parts[-1].strip()):
        return False
    if _is_bare_macro(previous) and previous.macro_post_space:
        return True
    is_operator = isinstance(node, LatexMacroNode) and node.macroname in _OPERATORS
    return is_operator and parts[-1][-1:] in _WORD_END


def _is_bare_macro(node: Any) -> bool:
    if not isinstance(node, LatexMacroNode):
        return False
    return node.nodeargd is None or all(arg is None for arg in node.nodeargd.argnlist)


def _cite_to_text(n: Any, l2tobj: LatexNodes2Text) -> str:
    keys = [arg for arg in (n.nodeargd.argnlist if n.nodeargd else []) if arg is not None]
    return "[" + l2tobj.nodelist_to_text(keys[-1:]).strip() + "]" if keys else ""


# Macros pylatexenc does not know: font and size switches and \left/\right print nothing (a
# braced argument after them is kept as text, e.g. siunitx "\si{km}" -> "km"); astronomy's
# common solar-unit macros (arXiv 0704.0059 "\msun") print their symbol.
_SILENT_MACROS = (
    "rm bf it sl sf tt sc em cal mit frak bfseries itshape rmfamily sffamily ttfamily "
    "mdseries upshape slshape scshape normalfont boldmath unboldmath displaystyle "
    "textstyle scriptstyle scriptscriptstyle tiny scriptsize footnotesize small "
    "normalsize large Large LARGE huge Huge left right middle bigl bigr Bigl Bigr biggl "
    "biggr Biggl Biggr big Big bigg Bigg si SI num"
)
_MACRO_TEXT = {
    **dict.fromkeys(_SILENT_MACROS.split(), ""),
    "colon": ":",
    "msun": "M☉",
    "rsun": "R☉",
    "lsun": "L☉",
}


def _build_converter() -> _Latex2Text:
    context = get_default_latex_context_db()
    context.add_context_category(
        "bzpeer-overrides",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            MacroTextSpec("href", simplify_repl="%(2)s (%(1)s)"),
            *(MacroTextSpec(name, simplify_repl=_cite_to_text) for name in ("cite", "citep", "citet")),
        ],
    )
    context.add_context_category(
        "bzpeer-switches",
        prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=repl) for name, repl in _MACRO_TEXT.items()],
    )
    context.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=lambda n: n.macroname))
    return _Latex2Text(latex_context=context, math_mode="text")


# Built once: constructing the context databases costs far more than converting one abstract.
_LATEX = _build_converter()
_WALKER_CONTEXT = get_walker_context_db()

_ISLAND_START = re.compile(r"[\\${]|[\^_](?=\{)")
_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.S)
_MACRO = re.compile(r"\\([A-Za-z]+|.)", re.S)
_OPTIONAL_ARGUMENT = re.compile(r"\s*\[[^\]]*\]")
_EM_DASH = re.compile(r"(?<!-)---(?![-A-Za-z])")
_EN_DASH = re.compile(r"(?<!-)--(?![-A-Za-z])")


def _is_tie(text: str, at: int) -> bool:
    """A ``~`` between two non-space characters is a tie, unless "about" or in a path."""
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    return not (
        before.isspace()
        or after.isspace()
        or before in "/~"
        or after == "~"
        or (before.isalpha() and after.isdigit())
    )


def _plain_tilde(match: re.Match[str]) -> str:
    return " " if _is_tie(match.string, match.start()) else "~"


def plain_to_text(text: str) -> str:
    """The LaTeX conventions of text that needs no parsing: ties (``of~X``), dashes, quotes."""
    return typography(_TILDE.sub(_plain_tilde, text) if "~" in text else text)


def _latex_tilde(match: re.Match[str]) -> str:
    return " " if _is_tie(match.string, match.start()) else r"\textasciitilde{}"


def latex_to_text(text: str) -> str:
    """Convert LaTeX to Unicode with pylatexenc; on any failure keep the original text."""
    fallback = text
    text = text.replace(_PH_OPEN, "").replace(_PH_CLOSE, "")
    protected: list[str] = []

    def protect(value: str) -> str:
        protected.append(value)
        return f"{_PH_OPEN}{len(protected) - 1}{_PH_CLOSE}"

    # Each pattern only where it can match: a pass of a regex over a long abstract costs more
    # than the test of a substring.
    if "\\href" in text:
        text = _HREF.sub(lambda m: f"{m.group(2)} ({protect(m.group(1).strip())})", text)
    if "\\url" in text or "http" in text or "www." in text:
        text = _URL.sub(lambda m: protect((m.group(1) or m.group(0)).strip()), text)
    if "\\" in text:
        text = _GLUED_MACRO.sub(r"\1 ", text)
    if "~" in text:
        text = _TILDE.sub(_latex_tilde, text)
    try:
        segments = _segments(text)
        if segments is None:
            converted = _convert(text)
        else:
            converted = "".join(
                _convert(chunk) if is_latex else typography(chunk) for is_latex, chunk in segments
            )
    except Exception:  # pylatexenc has no error contract: any failure keeps the text
        return fallback
    if not protected:  # the input's own placeholder characters were removed above
        return converted
    restored = _PLACEHOLDER.sub(lambda m: protected[int(m.group(1))], converted)
    if len(_PLACEHOLDER.findall(converted)) != len(protected):
        return fallback  # a URL was swallowed by the conversion: never lose text
    return restored


def _escape_literals(text: str) -> str:
    """Escape ``%``, ``&`` and every ``$`` that does not delimit mathematics."""
    pieces: list[str] = []
    position = 0
    while (match := _MATH_CANDIDATE.search(text, position)) is not None:
        span = match.group(0)
        if span.startswith("$$") or _looks_like_math(span[1:-1]):
            pieces += [_escape_plain(text[position : match.start()]), _escape_plain(span, True)]
            position = match.end()
        else:
            pieces.append(_escape_plain(text[position : match.start() + 1]))
            position = match.start() + 1
    pieces.append(_escape_plain(text[position:]))
    return "".join(pieces)


def _looks_like_math(content: str) -> bool:
    return not any(c.isspace() for c in content) or _MATHLIKE.search(content) is not None


_BARE_PERCENT_AMP = re.compile(r"(?<!\\)([%&])")
_BARE_DOLLAR = re.compile(r"(?<!\\)\$")


def _escape_plain(text: str, is_math: bool = False) -> str:
    text = _BARE_PERCENT_AMP.sub(r"\\\1", text)
    return text if is_math else _BARE_DOLLAR.sub(r"\\$", text)


def _convert(latex: str) -> str:
    walker = LatexWalker(_escape_literals(latex), latex_context=_WALKER_CONTEXT, tolerant_parsing=True)
    return str(_LATEX.nodelist_to_text(walker.get_latex_nodes()[0]))


def typography(plain: str) -> str:
    """TeX's dash and quote ligatures in running text, as pylatexenc would render them.

    ``--``/``---`` followed by a letter are left alone: that is a command-line flag
    (``--verbose``), not a dash. TeX quotes are converted only when the text opens one with two
    backquotes, as a bare ``''`` is also a double prime (``0.5''``).
    """
    if "--" in plain:
        plain = _EM_DASH.sub("\u2014", plain)
        plain = _EN_DASH.sub("\u2013", plain)
    if "``" in plain:
        plain = plain.replace("``", "\u201c").replace("''", "\u201d")
    return plain


def _segments(text: str) -> list[tuple[bool, str]] | None:
    """Split text into plain stretches and LaTeX islands (math, macros with arguments, groups).

    Only the islands go through pylatexenc, whose tokenizer costs about 25 µs a character; the
    plain stretches between them get the few typographic rules pylatexenc would apply. Returns
    None when the text cannot be split safely (unbalanced braces, environments): the caller then
    converts the whole text at once.
    """
    segments: list[tuple[bool, str]] = []
    plain_start = position = 0
    while True:
        match = _ISLAND_START.search(text, position)
        if match is None:
            break
        start = match.start()
        end = _island_end(text, start)
        if end is None:
            return None
        if end == start:  # a "$" that is a literal dollar
            position = start + 1
            continue
        if plain_start < start:
            segments.append((False, text[plain_start:start]))
        segments.append((True, text[start:end]))
        plain_start = position = end
    if plain_start < len(text):
        segments.append((False, text[plain_start:]))
    return segments


def _island_end(text: str, start: int) -> int | None:
    char = text[start]
    if char == "$":
        math = _MATH_CANDIDATE.match(text, start)
        is_math = math is not None and (
            math.group(0).startswith("$$") or _looks_like_math(math.group(0)[1:-1])
        )
        return math.end() if math is not None and is_math else start
    if char in "^_":
        return _group_end(text, start + 1)
    if char == "{":
        return _group_end(text, start)
    return _macro_end(text, start)


def _group_end(text: str, start: int) -> int | None:
    """Index just past the ``}`` closing the group opened at ``start``, or None if unbalanced."""
    depth = 0
    position = start
    while (match := _BRACE_OR_ESCAPE.search(text, position)) is not None:
        token = match.group(0)
        position = match.end()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return position
    return None


def _macro_end(text: str, start: int) -> int | None:
    """Index just past a macro and the arguments pylatexenc will read for it."""
    match = _MACRO.match(text, start)
    if match is None:  # a lone backslash at the end
        return len(text)
    name, end = match.group(1), match.end()
    if name in ("begin", "end"):
        return None
    if name in ("[", "("):
        closer = text.find("\\]" if name == "[" else "\\)", end)
        return None if closer < 0 else closer + 2
    for kind in _argspec(name):
        if kind == "*":
            end += text.startswith("*", end)
        elif kind == "[":
            optional = _OPTIONAL_ARGUMENT.match(text, end)
            end = optional.end() if optional is not None else end
        else:
            argument = _argument_end(text, end)
            if argument is None:
                return None
            end = argument
    return end


def _argument_end(text: str, start: int) -> int | None:
    """A mandatory argument: a braced group, a macro token (``\\bar\\theta``) or one character."""
    position = start
    while position < len(text) and text[position].isspace():
        position += 1
    if position == len(text) or text[position] in "}$":
        return start
    if text[position] == "{":
        return _group_end(text, position)
    if text[position] == "\\":
        token = _MACRO.match(text, position)
        return token.end() if token is not None else position + 1
    return position + 1


@lru_cache(maxsize=4096)  # keyed by macro names from input: bounded
def _argspec(name: str) -> str:
    spec = _WALKER_CONTEXT.get_macro_spec(name)
    return str(getattr(getattr(spec, "args_parser", None), "argspec", "") or "")
