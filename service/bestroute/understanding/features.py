"""Hashed text features, computed with numpy only, shared by training and inference.

One function turns a prompt into sparse feature indices and weights; the trained models are
plain weight matrices over that space, so inference is a gather and a sum. Training builds its
design matrix from the very same function, so there is no train/serve skew.

Features (all lower-cased, every digit folded to ``0`` so numbers generalise):
- character 2..5-grams of the text (the first 1,500 and last 500 characters of long texts: a
  weight lookup per n-gram is the dominant cost, and this keeps a 100k-character document as
  cheap as a 2k one),
- word unigrams and bigrams of a wider window (first 6,000 and last 2,000 characters),
- word unigrams and bigrams of the first and of the last ``EDGE_WORDS`` words in their own hash
  spaces: the instruction usually sits at one end of a prompt, and that is what transfers from
  templated training rows to real user prompts,
- a small block of structural indicators (length bucket, line count, code fences, digit share,
  question marks, answer options, ...), one column each after the hashed block,
- cue-word families (``cues``) at the start, at the end and anywhere in the window: they let a
  weight learnt from "summarize" in a template carry over to "tl;dr" or "key points".

Hashing is a polynomial rolling hash over code points in uint64 arithmetic (wrapping on purpose),
mixed by a multiplicative hash into ``2**BITS`` buckets. It is deterministic across processes,
unlike Python's ``hash``.
"""

from __future__ import annotations

import math

import numpy as np

from . import cues

BITS = 18
N_HASHED = 1 << BITS
HEAD_CHARS = 6000  # word n-grams read the first HEAD_CHARS and the last TAIL_CHARS characters
TAIL_CHARS = 2000
CHAR_HEAD = 1500  # character n-grams (4x as many per character) read a smaller window
CHAR_TAIL = 500
EDGE_WORDS = 40
CHAR_NGRAMS = (2, 3, 4, 5)

_P = 0x100000001B3  # odd, so invertible modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)
_SHIFT = np.uint64(64 - BITS)
_MAX_LEN = HEAD_CHARS + TAIL_CHARS + 8
_POW = np.cumprod(np.full(_MAX_LEN + 1, _P, dtype=np.uint64), dtype=np.uint64)
_POW = np.concatenate([np.ones(1, dtype=np.uint64), _POW[:-1]])  # _POW[k] = P**k
_POW_INV = np.cumprod(np.full(_MAX_LEN + 1, _P_INV, dtype=np.uint64), dtype=np.uint64)
_POW_INV = np.concatenate([np.ones(1, dtype=np.uint64), _POW_INV[:-1]])

# One odd multiplier per feature family, so families land in independent buckets.
_MIX = {
    "c2": 0x9E3779B97F4A7C15, "c3": 0xC2B2AE3D27D4EB4F, "c4": 0x165667B19E3779F9,
    "c5": 0xD6E8FEB86659FD93, "w1": 0xFF51AFD7ED558CCD, "w2": 0xC4CEB9FE1A85EC53,
    "h1": 0x2545F4914F6CDD1D, "h2": 0x9FB21C651E98DF25, "t1": 0x6C8E9CF570932BD5,
    "t2": 0xA0761D6478BD642F,
}
_MIX_NP = {k: np.uint64(v) for k, v in _MIX.items()}
_DIGIT_LOW, _DIGIT_HIGH, _ZERO = 48, 57, 48
_CODE_MARKS = ("{", ";\n", "()", "def ", "return ", "):\n", "=>", "==", "!=", "import ", "#include", "function ",
               "console.", "print(", "self.", "const ", "var ", "let ", "public ", "</", "->", "::")

STRUCT_NAMES: tuple[str, ...] = (
    *(f"len_log2_{i}" for i in range(19)),
    "len_ge_10k", "len_ge_20k", "len_ge_40k",
    *(f"lines_{i}" for i in range(6)),
    "code_fence", "code_chars", "code_chars_many", "digits_none", "digits_some", "digits_many",
    "question_mark", "ends_question", "options_abcd", "math_symbols", "quotes",
    "bias",
)
N_STRUCT = len(STRUCT_NAMES)
N_FEATURES = N_HASHED + N_STRUCT + cues.N_CUES
_STRUCT_INDEX = {name: N_HASHED + i for i, name in enumerate(STRUCT_NAMES)}


def _code_points(text: str) -> np.ndarray:
    """Lower-cased code points with digits folded to '0', padded by a space at each end."""
    cp = np.frombuffer((" " + text.lower() + " ").encode("utf-32-le"), dtype=np.uint32)
    cp = cp.astype(np.uint64)
    cp[(cp >= _DIGIT_LOW) & (cp <= _DIGIT_HIGH)] = _ZERO
    return cp


def _bucket(h: np.ndarray, family: str) -> np.ndarray:
    return ((h * _MIX_NP[family]) >> _SHIFT).astype(np.int64)


def _char_ngrams(cp: np.ndarray) -> list[np.ndarray]:
    out = []
    h = cp
    for n in range(1, CHAR_NGRAMS[-1] + 1):
        if n > 1:
            h = h[:-1] * np.uint64(_P) + cp[n - 1:]
        if n in CHAR_NGRAMS and h.size:
            out.append(_bucket(h, f"c{n}"))
    return out


def _word_hashes(cp: np.ndarray) -> np.ndarray:
    """One hash per word (a maximal run of ASCII letters/digits or non-ASCII characters)."""
    is_word = ((cp >= 97) & (cp <= 122)) | (cp == _ZERO) | (cp > 127)
    if not is_word.any():
        return np.zeros(0, dtype=np.uint64)
    edges = np.diff(is_word.astype(np.int8))
    starts = np.flatnonzero(edges == 1) + 1
    ends = np.flatnonzero(edges == -1) + 1  # the pad spaces guarantee matched pairs
    n = cp.size
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(cp * _POW_INV[:n], out=prefix[1:])
    # hash(s, e) = sum cp[k] * P**(e-1-k) = P**(e-1) * (prefix[e] - prefix[s])
    return _POW[ends - 1] * (prefix[ends] - prefix[starts])


def _word_features(words: np.ndarray, uni: str, bi: str) -> list[np.ndarray]:
    if not words.size:
        return []
    out = [_bucket(words, uni)]
    if words.size > 1:
        out.append(_bucket(words[:-1] * np.uint64(0x5BD1E995) + words[1:], bi))
    return out


def _struct_features(text: str) -> list[int]:
    n = len(text)
    text = text[:8000]  # bounded cost; length itself is taken from the whole text
    names = [f"len_log2_{min(int(math.log2(n + 1)), 18)}", "bias"]
    if n >= 10_000:
        names.append("len_ge_10k")
    if n >= 20_000:
        names.append("len_ge_20k")
    if n >= 40_000:
        names.append("len_ge_40k")
    lines = text.count("\n")
    names.append(f"lines_{min(int(math.log2(lines + 1)), 5)}")
    if "```" in text:
        names.append("code_fence")
    code_marks = sum(text.count(m) for m in _CODE_MARKS)
    if code_marks >= 2:
        names.append("code_chars")
    if code_marks >= 6:
        names.append("code_chars_many")
    head = text[:4000]
    digits = sum(head.count(d) for d in "0123456789")
    share = digits / max(len(head), 1)
    names.append("digits_none" if digits == 0 else "digits_some" if share < 0.05 else "digits_many")
    if "?" in text:
        names.append("question_mark")
    if text.rstrip().endswith("?"):
        names.append("ends_question")
    if "\nA." in text and "\nB." in text or "(A)" in text and "(B)" in text:
        names.append("options_abcd")
    if any(s in head for s in ("=", "^", "\\frac", "$", "+", "√", "≤")):
        names.append("math_symbols")
    if text.count('"') >= 2:
        names.append("quotes")
    return [_STRUCT_INDEX[name] for name in names]


def _window(text: str, head: int, tail: int) -> str:
    return text if len(text) <= head + tail else text[:head] + "\n" + text[-tail:]


def featurize(text: str) -> list[tuple[np.ndarray, float]]:
    """Return feature blocks ``[(column indices, weight per occurrence), ...]``.

    The content block (character and word n-grams of the window) weighs ``1/sqrt(count)``, the
    edge block (first/last words) likewise on its own, so a long body does not drown out the
    instruction; structural and cue columns weigh 1. A linear score is therefore
    ``sum(W[idx].sum(0) * w for idx, w in blocks)``.
    """
    cp = _code_points(_window(text, HEAD_CHARS, TAIL_CHARS))
    words = _word_hashes(cp)
    char_window = _window(text, CHAR_HEAD, CHAR_TAIL)
    content = _char_ngrams(_code_points(char_window)) + _word_features(words, "w1", "w2")
    edges = _word_features(words[:EDGE_WORDS], "h1", "h2") + _word_features(words[-EDGE_WORDS:], "t1", "t2")
    blocks = []
    for parts in (content, edges):
        if parts:
            idx = np.concatenate(parts)
            blocks.append((idx, 1.0 / math.sqrt(idx.size)))
    blocks.append((np.asarray(_struct_features(text) + cues.cue_columns(char_window, N_HASHED + N_STRUCT),
                              dtype=np.int64), 1.0))
    return blocks


def design_matrix(texts: list[str]):
    """Sparse CSR matrix (rows = texts) for training; same features as ``featurize``."""
    from scipy.sparse import csr_matrix

    indices, data, indptr = [], [], [0]
    for text in texts:
        n = 0
        for idx, weight in featurize(text):
            indices.append(idx)
            data.append(np.full(idx.size, weight))
            n += idx.size
        indptr.append(indptr[-1] + n)
    matrix = csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.asarray(indptr)),
        shape=(len(texts), N_FEATURES),
    )
    matrix.sum_duplicates()
    return matrix
