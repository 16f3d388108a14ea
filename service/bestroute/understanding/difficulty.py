"""Dense, topic-independent difficulty cues: what a question *demands*, not what it is about.

Held-out MMLU subjects share little vocabulary with the training subjects, so besides the hashed
features the difficulty model gets a few signals that transfer across topics: length of the
question and of its answer options, how many numbers and mathematical symbols it carries, whether
it asks to calculate, whether options are numeric, negations ("NOT", "EXCEPT"), formal-logic and
legal-reasoning vocabulary, and whether it leans on a quoted passage. Only the first
``WINDOW_CHARS`` characters are read, so the cost is bounded for long documents.
"""

from __future__ import annotations

import math
import re

WINDOW_CHARS = 6000

_NUM = re.compile(r"\d+(?:[.,]\d+)?")
_MATH = re.compile(r"[=+*/^√π∑∫<>≤≥]|\\frac|\$")
_LAW = re.compile(r"(?i)\b(?:court|plaintiff|defendant|statute|contract|law|legal|constitution|jury|liable|"
                  r"negligence|tort|convicted|trial|evidence|ordinance)\b")
_CALC = re.compile(r"(?i)\b(?:calculate|compute|find|determine|how many|how much|what is the value|"
                   r"probability|solve|equation|approximately|total|each|per)\b")
_NEG = re.compile(r"\b(?:NOT|EXCEPT|LEAST|FALSE|INCORRECT)\b")
_LOGIC = re.compile(r"(?i)\b(?:statement 1|statement 2|premise|argument|valid|invalid|implies|if and only if)\b|[⊃∨≡~]")
_PASSAGE = re.compile(r"(?i)refers to the following|following (?:passage|information|excerpt)|read the")
_OPTION = re.compile(r"\n\(?[A-D][.)] ")
_NUMERIC_OPTION = re.compile(r"^[^A-Za-z]{0,4}[-\d.,/%$()^ ]*\d[-\d.,/%$()^ ]*[A-Za-z%]{0,5}\s*$")

DENSE_NAMES: tuple[str, ...] = (
    "log_stem_chars", "log_option_chars", "log_numbers", "has_math", "log_math", "numeric_options",
    "has_law", "log_law", "asks_calc", "negation", "log_logic", "passage", "question_marks",
    "log_lines", "upper_share", "mean_word_len",
)
N_DENSE = len(DENSE_NAMES)


def dense_features(text: str) -> list[float]:
    text = text[:WINDOW_CHARS]
    parts = _OPTION.split(text)
    stem, options = parts[0], [o.replace("\nAnswer:", "").strip() for o in parts[1:]]
    words = stem.split()
    n_math = len(_MATH.findall(text))
    n_law = len(_LAW.findall(text))
    return [
        math.log1p(len(stem)),
        math.log1p(sum(map(len, options)) / len(options)) if options else 0.0,
        math.log1p(len(_NUM.findall(stem))),
        float(n_math > 0),
        math.log1p(n_math),
        sum(bool(_NUMERIC_OPTION.match(o)) for o in options) / len(options) if options else 0.0,
        float(n_law > 0),
        math.log1p(n_law),
        float(_CALC.search(stem) is not None),
        float(_NEG.search(stem) is not None),
        math.log1p(len(_LOGIC.findall(text))),
        float(_PASSAGE.search(text) is not None),
        float(stem.count("?")),
        math.log1p(stem.count("\n")),
        sum(c.isupper() for c in stem) / max(len(stem), 1),
        sum(map(len, words)) / len(words) if words else 0.0,
    ]
