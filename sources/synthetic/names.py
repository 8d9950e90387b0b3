"""Synthetic person names: small frequency tables per naming culture, and per-mention variants.

The tables are approximate, written by hand for a generator, not a census: they only need the right
shape (a few very common names that make large homonym blocks, then a long tail). Weights are
relative within a table. Rationale and sources for the big ones are in ``DISTRIBUTIONS.md``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "CULTURES",
    "VARIANT_WEIGHTS",
    "Culture",
    "PersonName",
    "ascii_fold",
    "draw_name_keys",
    "person_name",
    "render_variant",
]

# Top Chinese surnames with their approximate share of China's population in percent (Wang, Li,
# Zhang, Liu, Chen are about 7.1 / 7.0 / 6.5 / 5.2 / 4.5; 2020 census summaries); the rest of the
# population (about 40 %) is spread over a tail the table does not list, here folded into a few
# less common surnames so the top five keep their relative weight.
_CHINESE_SURNAMES = {
    "Wang": 7.1, "Li": 7.0, "Zhang": 6.5, "Liu": 5.2, "Chen": 4.5, "Yang": 3.1, "Huang": 2.2,
    "Zhao": 2.1, "Wu": 2.0, "Zhou": 1.9, "Xu": 1.5, "Sun": 1.4, "Ma": 1.3, "Zhu": 1.2, "Hu": 1.1,
    "Guo": 1.1, "He": 1.0, "Lin": 0.9, "Gao": 0.9, "Luo": 0.9, "Zheng": 0.9, "Liang": 0.8,
    "Xie": 0.7, "Song": 0.6, "Tang": 0.6, "Han": 0.5, "Feng": 0.5, "Deng": 0.5, "Cao": 0.5,
    "Peng": 0.5, "Zeng": 0.4, "Xiao": 0.4, "Tian": 0.4, "Dong": 0.4, "Pan": 0.3, "Yuan": 0.3,
}  # fmt: skip
# Very common one-syllable given names (Wei, Jing, Lei, Yang, ... make the big homonym blocks).
_CHINESE_GIVEN_1 = {
    "Wei": 9.0, "Jing": 7.0, "Lei": 5.0, "Yang": 5.0, "Min": 4.0, "Jie": 4.0, "Jun": 4.0,
    "Tao": 3.0, "Hui": 3.0, "Yan": 3.0, "Qiang": 3.0, "Ying": 3.0, "Li": 3.0, "Hua": 2.0,
    "Ping": 2.0, "Fang": 2.0, "Lin": 2.0, "Bin": 2.0, "Xin": 2.0, "Hong": 2.0, "Yu": 2.0,
    "Peng": 1.5, "Chao": 1.5, "Gang": 1.5, "Ning": 1.0, "Kai": 1.0, "Bo": 1.0, "Rui": 1.0,
}  # fmt: skip
# Two-syllable given names are drawn as syllable pairs (28 x 28 = 784 names, uniform).
_CHINESE_SYLLABLE_1 = ("Xiao", "Jian", "Zhi", "Hai", "Guo", "Yu", "Wen", "Jia", "Zi", "Ming",
                       "Hong", "Chun", "Li", "Xin", "Ya", "Shu", "Yong", "Zhen", "Qi", "Hao",
                       "Rui", "Si", "Xue", "Jing", "Tian", "Yi", "Chen", "Dong")  # fmt: skip
_CHINESE_SYLLABLE_2 = ("ming", "hua", "wei", "jun", "yu", "ling", "feng", "qing", "hao", "yi",
                       "lan", "ting", "bo", "tian", "xuan", "peng", "jie", "fei", "nan", "long",
                       "hui", "kai", "yang", "rong", "xin", "han", "yan", "lei")  # fmt: skip

# Common English-language names (John Smith, David Miller, ... the Western homonym blocks).
_WESTERN_SURNAMES = {
    "Smith": 10.0, "Johnson": 8.0, "Williams": 7.0, "Brown": 7.0, "Jones": 6.0, "Miller": 6.0,
    "Davis": 5.0, "Wilson": 4.0, "Anderson": 4.0, "Taylor": 4.0, "Thomas": 3.0, "Moore": 3.0,
    "Martin": 3.0, "Jackson": 3.0, "Thompson": 3.0, "White": 3.0, "Harris": 2.0, "Clark": 2.0,
    "Lewis": 2.0, "Walker": 2.0, "Hall": 2.0, "Allen": 2.0, "Young": 2.0, "King": 2.0,
}  # fmt: skip
_WESTERN_GIVEN = {
    "John": 8.0, "David": 8.0, "Michael": 7.0, "James": 7.0, "Robert": 6.0, "William": 5.0,
    "Richard": 4.0, "Thomas": 4.0, "Mark": 3.0, "Paul": 3.0, "Peter": 3.0, "Daniel": 3.0,
    "Mary": 4.0, "Sarah": 4.0, "Jennifer": 3.0, "Elizabeth": 3.0, "Laura": 3.0, "Anna": 3.0,
    "Emily": 2.0, "Rachel": 2.0, "Susan": 2.0, "Andrew": 2.0, "Christopher": 2.0, "Kevin": 2.0,
    "Brian": 2.0, "Steven": 2.0, "Karen": 2.0, "Helen": 1.0, "Simon": 1.0, "Claire": 1.0,
}  # fmt: skip
# Tail of rarer surnames composed of three parts (24 x 6 x 20 = 2,880 surnames, uniform), drawn for
# _WESTERN_TAIL_SHARE of Western persons so that most Western names are not homonyms.
_WESTERN_PART_1 = ("Ash", "Brad", "Cole", "Dun", "Elling", "Fair", "Gold", "Hart", "Iver", "Kirk",
                   "Lang", "Mar", "North", "Oak", "Pem", "Rad", "Stan", "Thorn", "Up", "Wal",
                   "Wester", "York", "Crane", "Bel")  # fmt: skip
_WESTERN_PART_2 = ("ford", "ton", "well", "ley", "wood", "field", "ridge", "stone", "by", "more",
                   "worth", "dale", "brook", "hurst", "wick", "ham", "mont", "croft", "man",
                   "son")  # fmt: skip
_WESTERN_PART_MIDDLE = ("", "en", "er", "ing", "el", "am")
_WESTERN_TAIL_SHARE = 0.7
# Composed tails for the other cultures: (first parts, second parts, share of the culture's persons).
_EUROPEAN_TAIL = (("Vill", "Mont", "Bar", "Cal", "Sant", "Cas", "Ber", "Wein", "Hof", "Schw", "Kr",
                   "Dub", "Lun", "Mar"),
                  ("ález", "ero", "ído", "ano", "mann", "ler", "berg", "stein", "ová", "ić", "ier",
                   "ès", "ström", "gaard"), 0.6)  # fmt: skip
_INDIAN_TAIL = (("Venkat", "Subra", "Krish", "Ram", "Bala", "Chandra", "Siva", "Nara", "Go", "Pra",
                 "Sri", "Raghu"),
                ("raman", "murthy", "swamy", "nathan", "kar", "esh", "ppa", "yya", "deva", "van"),
                0.5)  # fmt: skip
_JAPANESE_TAIL = (("Naka", "Yama", "Ta", "Mori", "Ishi", "Fuji", "Hashi", "Kawa", "Matsu", "Taka",
                   "Oka", "Hira"),
                  ("mura", "da", "moto", "kawa", "no", "saki", "shima", "zaki", "hara", "ta", "uchi",
                   "yama"), 0.6)  # fmt: skip

# Continental European names with diacritics (ASCII-folded in some mentions).
_EUROPEAN_SURNAMES = {
    "García": 6.0, "Fernández": 5.0, "González": 5.0, "Rodríguez": 5.0, "Martínez": 4.0,
    "López": 4.0, "Pérez": 3.0, "Sánchez": 3.0, "Müller": 5.0, "Schäfer": 2.0, "Köhler": 2.0,
    "Schröder": 2.0, "Böhm": 1.0, "Lefèvre": 2.0, "Bézier": 1.0, "Gérard": 1.0, "Dupré": 1.0,
    "Jørgensen": 2.0, "Sørensen": 2.0, "Ångström": 1.0, "Nowák": 1.0, "Dvořák": 2.0,
    "Novák": 2.0, "Wójcik": 2.0, "Kovačević": 2.0, "Conceição": 1.0, "Gonçalves": 2.0,
}  # fmt: skip
_EUROPEAN_GIVEN = {
    "José": 6.0, "María": 6.0, "Jesús": 2.0, "Ramón": 2.0, "Inés": 2.0, "Sofía": 2.0,
    "Jürgen": 2.0, "Jörg": 2.0, "Günter": 1.0, "Björn": 2.0, "Søren": 2.0, "François": 3.0,
    "Hélène": 2.0, "Amélie": 1.0, "Zoë": 1.0, "Tomáš": 2.0, "Jiří": 2.0, "Łukasz": 2.0,
    "Małgorzata": 1.0, "João": 3.0, "André": 2.0, "Ana": 3.0, "Pablo": 3.0, "Luis": 3.0,
}  # fmt: skip

_INDIAN_SURNAMES = {
    "Kumar": 10.0, "Singh": 9.0, "Sharma": 7.0, "Patel": 6.0, "Gupta": 5.0, "Reddy": 4.0,
    "Rao": 4.0, "Das": 3.0, "Jain": 2.0, "Shah": 3.0, "Iyer": 2.0, "Mishra": 3.0, "Nair": 2.0,
}  # fmt: skip
_INDIAN_GIVEN = {
    "Rahul": 4.0, "Amit": 5.0, "Priya": 4.0, "Anil": 3.0, "Sunil": 3.0, "Deepak": 3.0,
    "Ravi": 4.0, "Arun": 3.0, "Vijay": 3.0, "Sanjay": 3.0, "Pooja": 2.0, "Neha": 2.0,
    "Rajesh": 4.0, "Suresh": 3.0, "Anita": 2.0, "Kavita": 2.0, "Manoj": 2.0, "Ashok": 2.0,
}  # fmt: skip

# Korean: Kim, Lee, Park are about 21 %, 15 %, 8 % of the population.
_KOREAN_SURNAMES = {
    "Kim": 21.0, "Lee": 15.0, "Park": 8.0, "Choi": 4.7, "Jung": 4.4, "Kang": 2.3, "Cho": 2.1,
    "Yoon": 2.1, "Jang": 2.0, "Lim": 1.7, "Han": 1.5, "Shin": 1.5, "Seo": 1.5, "Kwon": 1.4,
}  # fmt: skip
# Korean given names are two syllables, canonically hyphenated ("Min-Jun").
_KOREAN_SYLLABLE_1 = ("Min", "Ji", "Seo", "Hyun", "Jae", "Sung", "Young", "Eun", "Dong", "Hye")
_KOREAN_SYLLABLE_2 = ("jun", "hoon", "yeon", "woo", "min", "soo", "jin", "ho", "ah", "kyung")

_JAPANESE_SURNAMES = {
    "Sato": 1.5, "Suzuki": 1.4, "Takahashi": 1.1, "Tanaka": 1.1, "Watanabe": 0.9, "Ito": 0.9,
    "Yamamoto": 0.9, "Nakamura": 0.8, "Kobayashi": 0.8, "Kato": 0.7, "Yoshida": 0.7,
    "Yamada": 0.7, "Sasaki": 0.6, "Yamaguchi": 0.5, "Matsumoto": 0.5, "Inoue": 0.5,
}  # fmt: skip
_JAPANESE_GIVEN = {
    "Hiroshi": 4.0, "Takashi": 4.0, "Yuki": 3.0, "Kenji": 3.0, "Akira": 3.0, "Naoki": 2.0,
    "Yuko": 2.0, "Satoshi": 3.0, "Kazuki": 2.0, "Makoto": 2.0, "Tomoko": 2.0, "Daisuke": 2.0,
    "Haruka": 1.0, "Shinji": 2.0, "Keiko": 2.0, "Ryo": 2.0,
}  # fmt: skip


@dataclass(frozen=True)
class Culture:
    """A naming culture: its share of synthetic persons and its name tables."""

    name: str
    share: float
    surnames: tuple[str, ...]
    surname_weights: tuple[float, ...]
    givens: tuple[tuple[str, ...], ...]  # each given name as its syllables / parts
    given_weights: tuple[float, ...]
    middle_initial_rate: float
    surname_first: bool  # the surname-first order "Wang Wei" is a common variant


def _pairs(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((a, b) for a in first for b in second)


def _chinese() -> Culture:
    singles = tuple((g,) for g in _CHINESE_GIVEN_1)
    pairs = _pairs(_CHINESE_SYLLABLE_1, _CHINESE_SYLLABLE_2)
    # 45 % one-syllable given names (weighted), 55 % two-syllable (uniform over the pairs).
    total_single = sum(_CHINESE_GIVEN_1.values())
    weights = tuple(0.45 * w / total_single for w in _CHINESE_GIVEN_1.values())
    weights += tuple(0.55 / len(pairs) for _ in pairs)
    return Culture("chinese", 0.30, *_table(_CHINESE_SURNAMES), singles + pairs, weights, 0.0, True)


def _western() -> Culture:
    tail = tuple(a + m + b for a in _WESTERN_PART_1 for m in _WESTERN_PART_MIDDLE for b in _WESTERN_PART_2)
    surnames, weights = _with_tail(_WESTERN_SURNAMES, tail, _WESTERN_TAIL_SHARE)
    givens, given_weights = _table(_WESTERN_GIVEN)
    return Culture("western", 0.30, surnames, weights, _single(givens), given_weights, 0.4, False)


def _with_tail(
    head: dict[str, float], tail: tuple[str, ...], tail_share: float
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The head table's names plus a uniform tail holding ``tail_share`` of the weight."""
    names, head_weights = _table(head)
    tail = tuple(dict.fromkeys(n for n in tail if n not in head))  # "Naka"+"mura" is in the head
    total = sum(head_weights)
    weights = tuple((1 - tail_share) * w / total for w in head_weights)
    return names + tail, weights + tuple(tail_share / len(tail) for _ in tail)


def _composed(spec: tuple[tuple[str, ...], tuple[str, ...], float]) -> tuple[tuple[str, ...], float]:
    first, second, share = spec
    return tuple(a + b for a in first for b in second), share


def _table(table: dict[str, float]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return tuple(table), tuple(table.values())


def _single(names: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple((n,) for n in names)


def _simple(
    name: str,
    share: float,
    surnames: dict[str, float],
    givens: dict[str, float],
    tail: tuple[tuple[str, ...], float],
    *,
    surname_first: bool = False,
) -> Culture:
    given_names, given_weights = _table(givens)
    middle = 0.2 if name == "european" else 0.0
    all_surnames, weights = _with_tail(surnames, *tail)
    return Culture(
        name, share, all_surnames, weights, _single(given_names), given_weights, middle, surname_first
    )


def _korean() -> Culture:
    pairs = _pairs(_KOREAN_SYLLABLE_1, _KOREAN_SYLLABLE_2)
    weights = tuple(1.0 for _ in pairs)
    return Culture("korean", 0.07, *_table(_KOREAN_SURNAMES), pairs, weights, 0.0, True)


CULTURES: tuple[Culture, ...] = (
    _chinese(),
    _western(),
    _simple("european", 0.15, _EUROPEAN_SURNAMES, _EUROPEAN_GIVEN, _composed(_EUROPEAN_TAIL)),
    _simple("indian", 0.10, _INDIAN_SURNAMES, _INDIAN_GIVEN, _composed(_INDIAN_TAIL)),
    _korean(),
    _simple(
        "japanese", 0.08, _JAPANESE_SURNAMES, _JAPANESE_GIVEN, _composed(_JAPANESE_TAIL), surname_first=True
    ),
)

# Per-mention name variants and their probabilities. A variant that does not apply to a name (no
# middle initial to drop, no diacritic to fold, ...) falls back to the canonical form.
CANONICAL, INITIALS, INVERTED, SPECIAL, SURNAME_FIRST = range(5)
VARIANT_WEIGHTS = (0.55, 0.15, 0.08, 0.15, 0.07)
_MIDDLE_LETTERS = "ABCDEFGHJKLMNPRST"
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE"})

_KEY_SURNAME, _KEY_GIVEN, _KEY_MIDDLE = 4096, 1024, 32


@dataclass(frozen=True)
class PersonName:
    """The parts of one person's name."""

    culture: Culture
    surname: str
    given: tuple[str, ...]
    middle: str | None

    @property
    def display_name(self) -> str:
        """The canonical ``Given [M.] Surname`` form (OpenAlex's display order)."""
        return " ".join([self.given_name(), *self.middle_parts(), self.surname])

    def given_name(self) -> str:
        """The canonical given name: ``Wei``, ``Xiaoming``, ``Min-Jun``."""
        if len(self.given) == 1:
            return self.given[0]
        if self.culture.name == "korean":
            return f"{self.given[0]}-{self.given[1].capitalize()}"
        return "".join(self.given)

    def middle_parts(self) -> list[str]:
        """``["A."]`` for a middle initial, else nothing."""
        return [f"{self.middle}."] if self.middle else []

    def initials(self) -> str:
        """``W.``, ``X.-M.`` for a two-syllable name, ``J. A.`` with a middle initial."""
        first = "-".join(f"{part[0].upper()}." for part in self.given)
        return " ".join([first, *self.middle_parts()])


def draw_name_keys(rng: np.random.Generator, count: int) -> np.ndarray:
    """Draw ``count`` packed name keys (culture, surname, given name, middle initial).

    Args:
        rng: The generator to draw from.
        count: How many persons to name.

    Returns:
        An int64 array; :func:`person_name` unpacks a key.
    """
    shares = np.array([c.share for c in CULTURES])
    culture = rng.choice(len(CULTURES), size=count, p=shares / shares.sum())
    assert all(len(c.surnames) <= _KEY_SURNAME and len(c.givens) <= _KEY_GIVEN for c in CULTURES)
    keys = np.zeros(count, dtype=np.int64)
    for index, spec in enumerate(CULTURES):
        rows = np.flatnonzero(culture == index)
        surname = rng.choice(len(spec.surnames), size=rows.size, p=_normalized(spec.surname_weights))
        given = rng.choice(len(spec.givens), size=rows.size, p=_normalized(spec.given_weights))
        has_middle = rng.random(rows.size) < spec.middle_initial_rate
        middle = np.where(has_middle, rng.integers(1, len(_MIDDLE_LETTERS) + 1, rows.size), 0)
        keys[rows] = ((index * _KEY_SURNAME + surname) * _KEY_GIVEN + given) * _KEY_MIDDLE + middle
    return keys


def _normalized(weights: tuple[float, ...]) -> np.ndarray:
    array = np.asarray(weights, dtype=np.float64)
    normalized: np.ndarray = array / array.sum()
    return normalized


@lru_cache(maxsize=200_000)
def person_name(key: int) -> PersonName:
    """Unpack a name key drawn by :func:`draw_name_keys`."""
    rest, middle = divmod(key, _KEY_MIDDLE)
    rest, given = divmod(rest, _KEY_GIVEN)
    culture, surname = divmod(rest, _KEY_SURNAME)
    spec = CULTURES[culture]
    letter = _MIDDLE_LETTERS[middle - 1] if middle else None
    return PersonName(spec, spec.surnames[surname], spec.givens[given], letter)


def ascii_fold(text: str) -> str:
    """``José Müller`` to ``Jose Muller``; ``Łukasz`` to ``Lukasz``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=400_000)
def render_variant(key: int, variant: int) -> str:
    """The name of person ``key`` as written in one mention.

    Args:
        key: A name key from :func:`draw_name_keys`.
        variant: One of ``CANONICAL``, ``INITIALS``, ``INVERTED``, ``SPECIAL`` (hyphenation for
            two-syllable Chinese and Korean given names, ASCII folding for diacritics, a dropped
            middle initial) or ``SURNAME_FIRST`` (East Asian order without comma).

    Returns:
        The raw author name string.
    """
    name = person_name(key)
    if variant == INITIALS:
        return f"{name.initials()} {name.surname}"
    if variant == INVERTED:
        return f"{name.surname}, {' '.join([name.given_name(), *name.middle_parts()])}"
    if variant == SURNAME_FIRST and name.culture.surname_first:
        return f"{name.surname} {name.given_name()}"
    if variant == SPECIAL:
        return _special(name)
    return name.display_name


def _special(name: PersonName) -> str:
    if len(name.given) == 2 and name.culture.name == "chinese":
        return f"{name.given[0]}-{name.given[1].capitalize()} {name.surname}"
    if len(name.given) == 2:
        return f"{''.join(name.given)} {name.surname}"
    if name.middle:
        return f"{name.given[0]} {name.surname}"
    return ascii_fold(name.display_name)
