"""A deterministic synthetic data generator for scale tests and benchmarks (labeled synthetic).

``generate(works, seed, out)`` writes OpenAlex-shaped works (snapshot layout), arXiv-shaped
entries and the true person of every author mention; ``DISTRIBUTIONS.md`` states the distributions.
"""

from sources.synthetic.generate import SynthManifest, generate

__all__ = ["SynthManifest", "generate"]
