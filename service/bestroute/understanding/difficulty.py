"""Dense, topic-independent difficulty cues: what a question *demands*, not what it is about.

Held-out MMLU subjects share little vocabulary with the training subjects, so besides the hashed
features the difficulty model gets a few signals that transfer across topics: length of the
question and of its answer options, how many numbers and mathematical symbols it carries, whether
it asks to calculate, whether options are numeric, negations ("NOT", "EXCEPT"), formal-logic and
legal-reasoning vocabulary, and whether it leans on a quoted passage. ``option_features`` adds
how alike the answer options are to each other and to the question, in the static sentence space
of ``encoder`` (close distractors make a question harder; leave-subject-out APGR 0.579 -> 0.585).
Only the first ``WINDOW_CHARS`` characters are read, so the cost is bounded for long documents.
"""

from __future__ import annotations

import math
import re

import numpy as np

WINDOW_CHARS = 2500

_NUM = re.compile(r"\d+(?:[.,]\d+)?")
_MATH = re.compile(r"[=+*/^√π∑∫<>≤≥]|\\frac|\$")
_TOKEN = re.compile(r"[a-z]+")
_LAW = frozenset("court plaintiff defendant statute contract law legal constitution jury liable negligence "
                 "tort convicted trial evidence ordinance".split())
_CALC = frozenset("calculate compute find determine probability solve equation approximately total each "
                  "per value".split())
_CALC_PHRASES = ("how many", "how much")
_LOGIC = frozenset("premise argument valid invalid implies".split())
_LOGIC_PHRASES = ("statement 1", "statement 2", "if and only if", "⊃", "∨", "≡", "~")
_NEG_WORDS = ("NOT", "EXCEPT", "LEAST", "FALSE", "INCORRECT")
_NEG = re.compile(rf"\b(?:{'|'.join(_NEG_WORDS)})\b")
_PASSAGE = ("refers to the following", "following passage", "following information", "following excerpt",
            "read the")
_UPPER = re.compile(r"[A-Z]")
_OPTION = re.compile(r"\n\(?[A-D][.)] ")
_NUMERIC_OPTION = re.compile(r"^[^A-Za-z]{0,4}[-\d.,/%$()^ ]*\d[-\d.,/%$()^ ]*[A-Za-z%]{0,5}\s*$")

DENSE_NAMES: tuple[str, ...] = (
    "log_stem_chars", "log_option_chars", "log_numbers", "has_math", "log_math", "numeric_options",
    "has_law", "log_law", "asks_calc", "negation", "log_logic", "passage", "question_marks",
    "log_lines", "upper_share", "mean_word_len",
)
OPTION_NAMES: tuple[str, ...] = ("options_max_sim", "options_mean_sim", "stem_option_spread", "stem_option_std")
N_DENSE = len(DENSE_NAMES) + len(OPTION_NAMES)


def _negated(stem: str) -> bool:
    # the substring test first: the word-boundary search alone is ~35 us on 2,000 characters
    return any(w in stem for w in _NEG_WORDS) and _NEG.search(stem) is not None


def dense_features(text: str) -> list[float]:
    text = text[:WINDOW_CHARS]
    lowered = text.lower()
    parts = _OPTION.split(text)
    stem, options = parts[0], [o.replace("\nAnswer:", "").strip() for o in parts[1:]]
    stem_lowered = lowered[:len(stem)]
    tokens = _TOKEN.findall(lowered)
    stem_tokens = set(tokens) if len(stem) == len(text) else set(_TOKEN.findall(stem_lowered))
    words = stem.split()
    n_math = len(_MATH.findall(text))
    n_law = sum(map(_LAW.__contains__, tokens))
    n_logic = sum(map(_LOGIC.__contains__, tokens)) + sum(lowered.count(p) for p in _LOGIC_PHRASES)
    asks_calc = bool(stem_tokens & _CALC) or any(p in stem_lowered for p in _CALC_PHRASES)
    return [
        math.log1p(len(stem)),
        math.log1p(sum(map(len, options)) / len(options)) if options else 0.0,
        math.log1p(len(_NUM.findall(stem))),
        float(n_math > 0),
        math.log1p(n_math),
        sum(bool(_NUMERIC_OPTION.match(o)) for o in options) / len(options) if options else 0.0,
        float(n_law > 0),
        math.log1p(n_law),
        float(asks_calc),
        float(_negated(stem)),
        math.log1p(n_logic),
        float(any(p in lowered for p in _PASSAGE)),
        float(stem.count("?")),
        math.log1p(stem.count("\n")),
        len(_UPPER.findall(stem)) / max(len(stem), 1),
        sum(map(len, words)) / len(words) if words else 0.0,
    ]


def option_features(text: str, encoder) -> list[float]:
    """Similarity structure of the answer options (zeros when there are fewer than two)."""
    parts = _OPTION.split(text[:WINDOW_CHARS].replace("\nAnswer:", ""))
    stem, options = parts[0], parts[1:]
    if len(options) < 2:
        return [0.0] * len(OPTION_NAMES)
    vectors = encoder.embed_many(options)
    sims = vectors @ vectors.T
    pairs = sims[np.triu_indices(len(options), 1)]
    to_stem = vectors @ encoder.embed(stem)
    return [float(pairs.max()), float(pairs.mean()), float(to_stem.max() - to_stem.mean()), float(to_stem.std())]


def difficulty_inputs(text: str, encoder) -> list[float]:
    """The dense difficulty block: topic-independent cues, then the option features."""
    return dense_features(text) + option_features(text, encoder)
