"""Words of the synthetic world: topics with their vocabularies, institution and venue names.

Topic ids are synthetic (``T9300000000 + n``); their subfield, field and domain ids and names are
OpenAlex's real (ASJC-based) taxonomy, as they appear in the recorded responses, so the hierarchy
columns look like real ones. Each topic maps to arXiv categories that exist in arXiv's taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COUNTRIES",
    "GENERAL_WORDS",
    "INSTITUTION_KINDS",
    "TOPICS",
    "Topic",
    "institution_name",
    "venue_name",
]


@dataclass(frozen=True)
class Topic:
    """A topic with its OpenAlex hierarchy, arXiv categories and a small vocabulary."""

    name: str
    subfield: tuple[int, str]
    field: tuple[int, str]
    domain: tuple[int, str]
    arxiv_categories: tuple[str, ...]
    words: tuple[str, ...]


_CS = (17, "Computer Science")
_PHYSICAL = (3, "Physical Sciences")
_LIFE = (1, "Life Sciences")
_HEALTH = (4, "Health Sciences")
_SOCIAL = (2, "Social Sciences")
_ENV = (23, "Environmental Science")

TOPICS: tuple[Topic, ...] = (
    Topic("Neural Network Optimization Methods", (1702, "Artificial Intelligence"), _CS, _PHYSICAL,
          ("cs.LG", "stat.ML"), ("neural", "network", "gradient", "training", "optimization",
          "learning", "deep", "loss", "convergence", "stochastic", "regularization", "layers")),
    Topic("Language Models and Reasoning", (1702, "Artificial Intelligence"), _CS, _PHYSICAL,
          ("cs.CL", "cs.AI"), ("language", "model", "reasoning", "transformer", "tokens", "prompt",
          "benchmark", "pretraining", "alignment", "inference", "attention", "corpus")),
    Topic("Image Segmentation and Recognition", (1707, "Computer Vision and Pattern Recognition"),
          _CS, _PHYSICAL, ("cs.CV",), ("image", "segmentation", "recognition", "pixel", "object",
          "detection", "convolutional", "visual", "scene", "features", "annotation", "video")),
    Topic("Complexity of Graph Algorithms", (1703, "Computational Theory and Mathematics"), _CS,
          _PHYSICAL, ("cs.CC", "cs.DS"), ("graph", "algorithm", "complexity", "bound",
          "polynomial", "approximation", "vertices", "edges", "hardness", "matching", "proof",
          "reduction")),
    Topic("Econometric Panel Models", (2002, "Economics and Econometrics"),
          (20, "Economics, Econometrics and Finance"), _SOCIAL, ("econ.EM",), ("panel",
          "estimator", "econometric", "policy", "market", "wages", "regression", "identification",
          "causal", "households", "prices", "inflation")),
    Topic("Gene Regulatory Networks", (1312, "Molecular Biology"),
          (13, "Biochemistry, Genetics and Molecular Biology"), _LIFE, ("q-bio.MN", "q-bio.GN"),
          ("gene", "expression", "regulatory", "transcription", "protein", "cell", "pathway",
          "genome", "sequencing", "chromatin", "mutation", "binding")),
    Topic("Infectious Disease Epidemiology", (2713, "Epidemiology"), (27, "Medicine"), _HEALTH,
          ("q-bio.PE",), ("infection", "transmission", "cohort", "incidence", "mortality",
          "vaccination", "outbreak", "risk", "surveillance", "prevalence", "patients", "trial")),
    Topic("Climate Change and Land Use", (2306, "Global and Planetary Change"), _ENV, _PHYSICAL,
          ("physics.ao-ph",), ("climate", "warming", "emissions", "land", "carbon", "temperature",
          "precipitation", "scenario", "forest", "drought", "adaptation", "ocean")),
    Topic("Species Distribution and Biodiversity", (2303, "Ecology"), _ENV, _PHYSICAL,
          ("q-bio.PE",), ("species", "biodiversity", "habitat", "population", "abundance",
          "ecosystem", "richness", "dispersal", "community", "conservation", "traits", "niche")),
    Topic("Political Participation and Institutions", (3312, "Sociology and Political Science"),
          (33, "Social Sciences"), _SOCIAL, ("physics.soc-ph",), ("political", "voters",
          "institutions", "participation", "democracy", "survey", "governance", "elections",
          "citizens", "trust", "inequality", "parties")),
    Topic("T Cell Immune Responses", (2403, "Immunology"), (24, "Immunology and Microbiology"),
          _LIFE, ("q-bio.CB",), ("immune", "cells", "antigen", "cytokine", "receptor", "response",
          "lymphocytes", "inflammation", "antibody", "signaling", "tumor", "mice")),
    Topic("Bayesian Inference Methods", (1804, "Statistics, Probability and Uncertainty"),
          (18, "Decision Sciences"), _SOCIAL, ("stat.ME", "math.ST"), ("bayesian", "posterior",
          "prior", "sampling", "inference", "likelihood", "variance", "estimation", "markov",
          "uncertainty", "hierarchical", "simulation")),
)  # fmt: skip

GENERAL_WORDS = ("the", "of", "and", "in", "a", "to", "we", "for", "with", "on", "is", "that",
                 "this", "by", "results", "show", "study", "method", "data", "using", "propose",
                 "new", "analysis", "approach", "based", "our", "performance", "effect")  # fmt: skip

TITLE_CONNECTORS = ("for", "in", "of", "with", "via", "under", "and")

# (template, OpenAlex institution type)
INSTITUTION_KINDS = (
    ("University of {}", "education"),
    ("{} University", "education"),
    ("{} Institute of Technology", "education"),
    ("{} University Hospital", "healthcare"),
    ("{} National Laboratory", "facility"),
    ("{} Research Center", "facility"),
    ("{} Pharmaceuticals", "company"),
    ("{} Academy of Sciences", "government"),
)
_PLACE_1 = ("Nor", "Wes", "Ash", "Bel", "Cal", "Dor", "Elm", "Fen", "Glen", "Har", "Iver", "Kel",
            "Lin", "Mar", "Oak", "Pen", "Rock", "Sil", "Tor", "Val")  # fmt: skip
_PLACE_2 = ("vale", "mouth", "bury", "field", "haven", "ford", "ton", "mere", "wick", "stead",
            "port", "gate", "holm", "crest", "moor")  # fmt: skip
# Country codes, roughly in order of research output; a synthetic institution's country.
COUNTRIES = ("US", "CN", "GB", "DE", "JP", "FR", "IN", "IT", "CA", "KR", "ES", "AU", "BR", "NL", "CH",
             "SE", "PL")  # fmt: skip
_VENUE_KINDS = ("Journal of {}", "{} Letters", "Annals of {}", "{} Reviews", "Proceedings in {}")


def institution_name(number: int) -> tuple[str, str, str]:
    """The display name, OpenAlex type and country code of synthetic institution ``number``."""
    place = _PLACE_1[number % len(_PLACE_1)] + _PLACE_2[(number // len(_PLACE_1)) % len(_PLACE_2)]
    round_ = number // (len(_PLACE_1) * len(_PLACE_2))
    template, kind = INSTITUTION_KINDS[(number * 7 + round_) % len(INSTITUTION_KINDS)]
    name = template.format(place if round_ == 0 else f"{place} {_roman(round_ + 1)}")
    return name, kind, COUNTRIES[(number * 13 + round_) % len(COUNTRIES)]


def _roman(value: int) -> str:
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))  # fmt: skip
    out = []
    for amount, numeral in numerals:
        count, value = divmod(value, amount)
        out.append(numeral * count)
    return "".join(out)


def venue_name(topic: int, number: int) -> str:
    """A synthetic journal name for a topic (``number`` picks one of a few per topic)."""
    subject = TOPICS[topic].subfield[1]
    return _VENUE_KINDS[number % len(_VENUE_KINDS)].format(subject)
