"""Where the difficulty estimate stands on MMLU, and what bounds it: leave-one-subject-out APGR.

    PYTHONPATH=service python bench/bench_difficulty.py

Every figure is APGR over pooled out-of-fold scores: the model is refitted 29 times, each time
without one MMLU subject, and scored on it. Type probabilities come from the shipped artefact (its
type model saw no MMLU row). Prints, in order:

- the shipped recipe (target "the weak model got it wrong", ``train.fit_difficulty``);
- two subject oracles, which know each subject's true rates and nothing about single questions:
  ranked by the weak model's failure rate, and by the expected gain of the strong model
  (strong accuracy - weak accuracy), the quantity APGR rewards;
- the oracle plus the shipped model's within-subject ranking (z-scored per subject): the most the
  within-subject signal could add if subjects were known;
- models fitted to the gain instead: a logistic model per outcome and their difference, ridge on
  strong - weak, a four-outcome multinomial, and the shipped score minus a share of a
  strong-fails score.

Takes 3-4 minutes on 2 cores.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))

from bestroute.understanding import data, model, train  # noqa: E402
from bestroute.understanding.routing_metrics import apgr  # noqa: E402


def load() -> tuple[list[dict], np.ndarray, np.ndarray, np.ndarray]:
    rows = data.read_jsonl(data.data_dir() / "strong_weak_train.jsonl")
    prompts = [r["prompt"] for r in rows]
    shipped = model.shipped()
    probs = np.array([shipped.score(p).type_probs for p in prompts])
    return rows, probs, train.difficulty_matrix(prompts), train.embeddings(prompts)


def main() -> int:
    from sklearn.linear_model import LogisticRegression, Ridge

    started = time.time()
    rows, probs, dense, sentence = load()
    strong = np.array([float(r["strong_score"]) for r in rows])
    weak = np.array([float(r["weak_score"]) for r in rows])
    subjects = np.array([r["category"] for r in rows])
    print(f"# bench_difficulty  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"MMLU rows {len(rows)}, subjects {len(set(subjects))}; inputs built in {time.time() - started:.0f} s\n")

    def weights(idx: np.ndarray) -> np.ndarray:
        return train.subject_weights([rows[i] for i in idx])

    def design(tr: np.ndarray, te: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean, scale = dense[tr].mean(axis=0), dense[tr].std(axis=0) + 1e-6
        block = lambda i: np.hstack([probs[i], (dense[i] - mean) / scale, sentence[i]])  # noqa: E731
        return block(tr), block(te)

    def loso(fit_predict) -> np.ndarray:
        oof = np.zeros(len(rows))
        for s in sorted(set(subjects)):
            tr, te = np.flatnonzero(subjects != s), np.flatnonzero(subjects == s)
            x_tr, x_te = design(tr, te)
            oof[te] = fit_predict(x_tr, x_te, tr)
        return oof

    def logistic(y: np.ndarray):
        def fit_predict(x_tr, x_te, tr):
            clf = LogisticRegression(C=train.DIFF_C, max_iter=5000, tol=1e-6)
            return clf.fit(x_tr, y[tr], sample_weight=weights(tr)).decision_function(x_te)
        return fit_predict

    def report(name: str, score: np.ndarray) -> None:
        print(f"{name:58s} {apgr(strong, weak, score):.3f}")

    # the shipped recipe, through the training code itself
    shipped = train.leave_subject_out_logits(rows, probs, dense, sentence)
    print("## shipped model")
    report("target weak wrong (train.fit_difficulty)", shipped)
    report("prompt length", np.array([len(r["prompt"]) for r in rows], dtype=float))

    print("\n## subject oracles (ties within a subject broken at random, mean of 20 draws)")
    rng = np.random.default_rng(0)
    fail = {s: 1.0 - weak[subjects == s].mean() for s in set(subjects)}
    gain = {s: (strong - weak)[subjects == s].mean() for s in set(subjects)}

    def oracle(rate: dict[str, float]) -> float:
        base = np.array([rate[s] for s in subjects])
        return float(np.mean([apgr(strong, weak, base + 1e-9 * rng.random(len(base))) for _ in range(20)]))

    print(f"{'oracle: subject weak failure rate':58s} {oracle(fail):.3f}")
    print(f"{'oracle: subject expected gain (strong - weak)':58s} {oracle(gain):.3f}")
    within = np.zeros(len(rows))
    for s in set(subjects):
        i = subjects == s
        within[i] = (shipped[i] - shipped[i].mean()) / (shipped[i].std() + 1e-9)
    odds = np.array([np.log(fail[s] / (1 - fail[s])) for s in subjects])
    for beta in (0.2, 0.5, 1.0):
        report(f"oracle failure logit + {beta} x shipped within-subject z", odds + beta * within)

    print("\n## models fitted to the gain")

    def difference(x_tr, x_te, tr):
        p = []
        for y in (strong, weak):
            clf = LogisticRegression(C=train.DIFF_C, max_iter=5000, tol=1e-6)
            p.append(clf.fit(x_tr, y[tr], sample_weight=weights(tr)).predict_proba(x_te)[:, 1])
        return p[0] - p[1]

    def ridge(x_tr, x_te, tr):
        return Ridge(alpha=10.0).fit(x_tr, (strong - weak)[tr], sample_weight=weights(tr)).predict(x_te)

    outcome = (2 * strong + weak).astype(int)  # 0 both wrong, 1 only weak right, 2 only strong right, 3 both

    def multinomial(x_tr, x_te, tr):
        clf = LogisticRegression(C=train.DIFF_C, max_iter=5000, tol=1e-6)
        p = clf.fit(x_tr, outcome[tr], sample_weight=weights(tr)).predict_proba(x_te)
        classes = list(clf.classes_)
        return p[:, classes.index(2)] - p[:, classes.index(1)]

    report("P(strong right) - P(weak right), two logistic models", loso(difference))
    report("ridge on strong - weak", loso(ridge))
    report("four-outcome multinomial: P(only strong) - P(only weak)", loso(multinomial))
    strong_fails = loso(logistic(1.0 - strong))
    for lam in (0.1, 0.3, 0.5):
        report(f"shipped logit - {lam} x strong-wrong logit", shipped - lam * strong_fails)
    largest, size = Counter(subjects).most_common(1)[0]
    print(f"\nlargest subject: {largest}, {size} rows; done in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
