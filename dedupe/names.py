"""Person-name normalisation, parsing and the blocking key for author identity resolution.

Every raw author name goes through one pipeline: HTML entities (repeatedly, since recorded data holds
double-escaped ``&amp;aacute;``), LaTeX accents (``Bal\\'azs``), transliteration to ASCII (unidecode), then a
split into a surname and given-name tokens. The canonical text form is ``"surname, given tokens"`` (for
instance ``"wang, xiaoming"``) and the blocking key is ``"surname, first initial"`` (``"wang, x"``). Both
forms parse back to themselves, so :func:`normalize_name` and :func:`name_key` are idempotent.

Order rules (documented outcomes, not guesses per call):

- ``"Yuan, Lu"`` (comma) is ``surname, given``; ``"Lu Yuan"`` (no comma) is Western order via nameparser;
  ``"YUAN Lu"`` (exactly one all-capitals token of 2+ letters among mixed-case tokens) takes that token
  as the surname, the common convention in Chinese and French bibliographies.
- Names written in Han or Hangul script are transliterated and read family name first (``王小明`` ->
  ``"wang, xiaoming"``). Japanese kanji get Chinese readings from unidecode: defined, but not accurate.
- Other scripts (Cyrillic, Greek, ...) are transliterated and read in Western order.
- Hyphens and spaces inside a given name are dropped (``Xiao-Ming``, ``Xiaoming`` and ``Xiao Ming`` all
  give ``xiaoming``), except that all-initial parts stay initials (``X.-M.`` -> ``x m``).
- A name with fewer than two letters after cleaning, or no surname, raises :class:`UnusableNameError`; the
  caller quarantines that mention instead of clustering it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nameparser import HumanName
from nameparser.config import CONSTANTS as _NAMEPARSER
from pylatexenc.latex2text import LatexNodes2Text
from unidecode import unidecode

__all__ = [
    "ParsedName",
    "UnusableNameError",
    "clean_text",
    "given_name_similarity",
    "is_east_asian",
    "is_east_asian_key",
    "is_long_chinese_given",
    "name_key",
    "normalize_name",
    "parse_name",
]

_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
_SURNAME_FIRST_SCRIPTS = ("CJK UNIFIED", "HANGUL")
_NOT_NAME_CHARS = re.compile(r"[^a-z ,\-]+")
_SPACES = re.compile(r"\s+")
_ALL_CAPS_INITIALS = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{2,3}$")


class UnusableNameError(ValueError):
    """A raw author name that cannot be parsed into a surname (empty, one letter, symbols only).

    Attributes:
        raw_name: The name as received.
        reason: Why it is unusable; the mention should go to the quarantine table with this reason.
    """

    def __init__(self, raw_name: str, reason: str) -> None:
        self.raw_name = raw_name
        self.reason = reason
        super().__init__(
            f"unusable author name {raw_name!r}: {reason}; quarantine the mention "
            "(or fix the name upstream) instead of resolving it"
        )

    def __reduce__(self) -> tuple[type[UnusableNameError], tuple[str, str]]:
        return UnusableNameError, (self.raw_name, self.reason)


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A name split into ASCII lower-case parts.

    Attributes:
        surname: Family name, particles included (``"van gemund"``), hyphens dropped.
        given: Given-name tokens; a one-letter token is an initial (``("j", "c")``).
    """

    surname: str
    given: tuple[str, ...]

    def __reduce__(self) -> tuple[type[ParsedName], tuple[str, tuple[str, ...]]]:
        # Pickled by position: a frozen dataclass with slots otherwise looks its fields up for every
        # object, and every mention's name crosses to the resolver's workers.
        return ParsedName, (self.surname, self.given)

    @property
    def first_initial(self) -> str:
        return self.given[0][0] if self.given else ""

    @property
    def has_full_given(self) -> bool:
        """True when the first given name is spelled out (not just an initial)."""
        return bool(self.given) and len(self.given[0]) > 1

    @property
    def key(self) -> str:
        return f"{self.surname}, {self.first_initial}" if self.given else self._bare_surname

    @property
    def canonical(self) -> str:
        return f"{self.surname}, {' '.join(self.given)}" if self.given else self._bare_surname

    @property
    def _bare_surname(self) -> str:
        # A multi-word surname alone keeps a trailing comma, so it parses back as a surname.
        return f"{self.surname}," if " " in self.surname else self.surname


def clean_text(raw: str) -> str:
    """Resolve HTML entities and LaTeX accents, then transliterate to ASCII (case kept).

    Args:
        raw: Any text (names, affiliations, titles).

    Returns:
        ASCII text; never raises.
    """
    text = raw
    for _ in range(3):  # recorded data holds double-escaped entities (&amp;aacute;)
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    if "\\" in text or "{" in text:
        try:
            text = _LATEX.latex_to_text(text)
        except Exception:  # pylatexenc is tolerant, but a parser error must not stop a run
            text = text.replace("{", "").replace("}", "")
    return unidecode(unicodedata.normalize("NFC", text))


def _surname_first_script(raw: str) -> bool:
    for char in raw:
        if char.isalpha() and ord(char) > 0x2E7F:
            name = unicodedata.name(char, "")
            if name.startswith(_SURNAME_FIRST_SCRIPTS):
                return True
    return False


def _split_surname_first(raw: str) -> tuple[str, str]:
    # One Han/Hangul character is one syllable; unidecode runs Hangul syllables together, so
    # transliterate the first character (the family name) apart from the rest.
    if " " in raw:
        first, _, rest = raw.partition(" ")
    else:
        first, rest = raw[:1], raw[1:]
    return clean_text(first), clean_text(rest).replace(" ", "")


def _given_tokens(text: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for word in text.replace(".", " ").split():
        parts = [part for part in word.split("-") if part]
        if parts and all(len(part) == 1 for part in parts):
            tokens.extend(parts)
        elif parts:
            tokens.append("".join(parts))
    return tuple(tokens)


def _surname(text: str) -> str:
    words = (word.replace("-", "") for word in text.replace(".", " ").split())
    return " ".join(word for word in words if word)


def _is_initials(word: str) -> bool:
    return all(len(part) == 1 for part in word.replace(".", " ").split())


def _split_initial_run(word: str) -> str:
    # "JC Smith": an all-capitals run of consonants is a run of initials, not a given name.
    return " ".join(word) if _ALL_CAPS_INITIALS.match(word) else word


# Every word nameparser treats specially (titles, suffixes, prefixes, conjunctions, bound names).
_NAMEPARSER_WORDS = frozenset(
    word
    for words in (
        _NAMEPARSER.titles,
        _NAMEPARSER.first_name_titles,
        _NAMEPARSER.suffix_acronyms,
        _NAMEPARSER.suffix_not_acronyms,
        _NAMEPARSER.suffix_acronyms_ambiguous,
        _NAMEPARSER.prefixes,
        _NAMEPARSER.non_first_name_prefixes,
        _NAMEPARSER.conjunctions,
        _NAMEPARSER.bound_first_names,
    )
    for word in words
)


# "Wang", "Dong-Min", "J." (a dot only after one letter: nameparser reads "Ph." as a title)
_PLAIN_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*|[A-Za-z]\.")
# What nameparser may read as a roman numeral suffix ("John Smith X" is John Smith the tenth).
_ROMAN_NUMERAL = re.compile(r"x|ix|iv|v?i{0,3}")


def _plain(word: str) -> bool:
    """A word nameparser takes as it is: letters (hyphen-joined) or an initial, nothing it knows.

    Nothing it knows: no part is a title, suffix, prefix, conjunction, bound first name or roman
    numeral.
    """
    if not _PLAIN_WORD.fullmatch(word):
        return False
    lower = word.lower()
    bare = lower.rstrip(".")
    if _ROMAN_NUMERAL.fullmatch(bare):
        return False
    return _NAMEPARSER_WORDS.isdisjoint({lower, bare, *bare.split("-")})


def _split_western(text: str) -> tuple[str, str]:
    words = [_split_initial_run(w) for w in text.split()]
    caps = [w for w in words if len(w) > 1 and w.isupper() and w.isalpha()]
    if len(words) > 1 and len(caps) == 1 and len(caps) < len(words):
        return caps[0], " ".join(w for w in words if w is not caps[0])
    if len(words) == 1:
        return words[0], ""
    if len(words) == 2 and _is_initials(words[1]) and not _is_initials(words[0]):
        return words[0], words[1]  # Vancouver style ("Wang L", "Smith JC"): surname first
    if words and all(_plain(word) for word in words):
        # What HumanName says of plain "Given [Middle ...] Surname", without its cost (~0.5 ms a name).
        return words[-1], " ".join(words[:-1])
    human = HumanName(" ".join(words))
    surname = str(human.last) or str(human.first)
    given = f"{human.first} {human.middle}" if human.last else str(human.middle)
    return surname, given


@lru_cache(maxsize=200_000)
def parse_name(raw: str) -> ParsedName:
    """Parse a raw author name into surname and given-name tokens.

    Args:
        raw: The name as a source wrote it, in any order, script or escaping.

    Returns:
        The parsed name; ``parse_name(parse_name(x).canonical) == parse_name(x)``.

    Raises:
        UnusableNameError: Fewer than two letters, or no surname, after cleaning.
    """
    text = _SPACES.sub(" ", clean_text(raw)).strip()
    if _surname_first_script(raw) and "," not in text:
        surname_text, given_text = _split_surname_first(raw.strip())
    elif "," in text:
        surname_text, _, given_text = text.partition(",")
        given_text = given_text.split(",")[0]  # "Smith, John, Jr." keeps the given name only
    else:
        surname_text, given_text = _split_western(text)
    surname = _surname(_NOT_NAME_CHARS.sub("", surname_text.lower()))
    given = _given_tokens(_NOT_NAME_CHARS.sub("", given_text.lower()).replace(",", " "))
    letters = sum(len(token) for token in given) + len(surname.replace(" ", ""))
    if not surname:
        raise UnusableNameError(raw, "no surname after cleaning")
    if letters < 2:
        raise UnusableNameError(raw, "fewer than two letters after cleaning")
    return ParsedName(surname=surname, given=given)


def normalize_name(raw: str) -> str:
    """Canonical ``"surname, given tokens"`` form of a name (idempotent).

    Raises:
        UnusableNameError: See :func:`parse_name`.
    """
    return parse_name(raw).canonical


def name_key(raw: str) -> str:
    """Blocking key ``"surname, first initial"`` (idempotent; order, case, diacritics insensitive).

    ``"Lu Yuan"``, ``"Yuan, Lu"``, ``"L. Yuan"`` and ``"LU YUAN"`` all give ``"yuan, l"``. A name without
    a given part (mononym) gives the surname alone.

    Raises:
        UnusableNameError: See :func:`parse_name`.
    """
    return parse_name(raw).key


def given_name_similarity(left: ParsedName, right: ParsedName) -> float:
    """How compatible two given names are, for names already in one block.

    Full given names must agree once spaces and hyphens are dropped ("Lei" vs "Lin" is 0: in Chinese
    given names one letter makes another person, so no typo tolerance). An initial agrees with a full
    name that starts with it, but weaker. Missing middle names are weaker still than exact agreement.

    Returns:
        1.0 same given name; 0.85 same first name, middle initial vs full middle; 0.75 one middle name
        missing; 0.6 initials only on one side and consistent; 0.5 both sides initials only and
        consistent; 0.0 incompatible (a cannot-link).
    """
    if left.surname != right.surname:
        return 0.0
    a, b = left.given, right.given
    if not a or not b:
        return 0.5
    if "".join(a) == "".join(b) and (len(a[0]) > 1) == (len(b[0]) > 1):
        return 1.0 if len(a[0]) > 1 else 0.5
    if len(a[0]) > 1 and len(b[0]) > 1:
        if a[0] != b[0]:
            return 0.0
        return _middle_similarity(a[1:], b[1:])
    if not _initials_consistent(a, b):
        return 0.0
    return 0.6 if len(a[0]) > 1 or len(b[0]) > 1 else 0.5


def _middle_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.75
    for x, y in zip(a, b, strict=False):
        if x[0] != y[0] or (len(x) > 1 and len(y) > 1 and x != y):
            return 0.0
    return 0.85


def _initials_consistent(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return all(x[0] == y[0] for x, y in zip(a, b, strict=False))


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Family names that many people share in Korean romanisation. Korean given names are two syllables
# as a rule, so their length says nothing of how many people share the name (`is_long_chinese_given`).
_KOREAN_SURNAMES = _word_set("kim lee park choi jung jeong cho yoon jang lim oh seo shin kwon hwang ahn")
# ... and in Chinese (pinyin, then Cantonese) romanisation, with the Korean ones: with a pinyin-like
# given name they mark the most ambiguous names (one "Wei Wang" is many people), see `is_east_asian`.
_EAST_ASIAN_SURNAMES = _KOREAN_SURNAMES | _word_set(
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang "
    "xie song tang han feng deng cao peng zeng xiao tian dong yuan pan cai jiang yu du ye cheng wei su "
    "lu ding ren shen yao jin fan fu qian tan liao zou xiong jia shi hou bai kong mao qiu qin gu dai "
    "fang xia duan lei hao kang yan yin niu long wan mo meng bao zhong ji qi tao ou lv lyu xue yun hong "
    "chang cheung chung chan wong leung ng lau ho kwok tse"
)
_SYLLABLE = (
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|er|ia|ie|iu"
    r"|ua|uo|ui|ue|a|o|e|i|u|v))"
)
_PINYIN = re.compile(rf"^{_SYLLABLE}+$")
_ONE_SYLLABLE = re.compile(rf"^{_SYLLABLE}$")


def is_east_asian(name: ParsedName) -> bool:
    """A common Chinese/Korean family name with a pinyin-like full given name (highly ambiguous)."""
    return (
        name.surname in _EAST_ASIAN_SURNAMES
        and name.has_full_given
        and all(_PINYIN.match(token) for token in name.given)
    )


@lru_cache(maxsize=1 << 16)
def is_east_asian_key(key: str) -> bool:
    """:func:`is_east_asian` for a co-author key (``"wang, wei"``; see ``dedupe.mentions.coauthor_key``)."""
    surname, _, given = key.partition(", ")
    return surname in _EAST_ASIAN_SURNAMES and len(given) > 1 and bool(_PINYIN.match(given))


def is_long_chinese_given(name: ParsedName) -> bool:
    """An :func:`is_east_asian` name with a Chinese given name of two or more syllables (Jianping, Xiao-Ming).

    Far fewer people share one of these than a one-syllable one (Wei, Lei): on the Qian DBLP set, two
    mentions of such a name are the same person 44% of the time, against 25% for the other
    :func:`is_east_asian` names and 71% for all other names. Korean family names are left out (see
    ``_KOREAN_SURNAMES``).
    """
    return (
        is_east_asian(name)
        and name.surname not in _KOREAN_SURNAMES
        and not _ONE_SYLLABLE.match("".join(name.given))
    )
