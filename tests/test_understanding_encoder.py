"""The static sentence encoder: BERT-compatible tokenisation, bounded cost, and the artefact budget."""

from __future__ import annotations

import numpy as np
import pytest

from bestroute.understanding import encoder, understand
from bestroute.understanding.model import ARTEFACT_DIR


def test_wordpiece_matches_bert_uncased() -> None:
    # ids from the reference BERT tokenizer (tokenizers library, all-MiniLM-L6-v2's tokenizer.json)
    ids = encoder.shipped().token_ids("Write a haiku about autumn, naïve café!")
    assert ids == [4339, 1037, 15030, 5283, 2055, 7114, 1010, 15743, 7668, 999]


def test_unknown_and_empty_text() -> None:
    enc = encoder.shipped()
    assert enc.token_ids("") == []
    assert not enc.embed("").any()
    assert enc.token_ids("x" * 500) == [enc.unk]  # over-long words are [UNK], as in BERT


def test_embedding_is_unit_length_and_deterministic() -> None:
    enc = encoder.shipped()
    a, b = enc.embed("a limerick about my cat"), enc.embed("a limerick about my cat")
    assert a.shape == (encoder.DIMS,) and np.array_equal(a, b)
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-5)


def test_long_text_reads_a_bounded_window() -> None:
    enc = encoder.shipped()
    assert len(enc.token_ids("word " * 100_000)) == len(enc.token_ids("word " * 600))


def test_artefact_fits_the_budget() -> None:
    total = sum(p.stat().st_size for p in ARTEFACT_DIR.iterdir() if p.is_file())
    assert total <= 20 * 1024 * 1024


@pytest.mark.parametrize("text", ["write a haiku about autumn", "a limerick about my cat",
                                  "tell me a story about a dragon"])
def test_short_creative_requests(text: str) -> None:
    # the examples issue #3 reported as read as factual_qa
    assert understand(text).task_type == "writing_creative"
