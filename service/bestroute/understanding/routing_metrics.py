"""Routing quality metrics over per-prompt strong/weak outcomes (pure functions, numpy only).

A router gives each prompt a score: higher means "send it to the strong (premium) model". Routing
the top fraction ``k`` of prompts to the strong model and the rest to the weak (cheap) one yields
a quality (mean outcome) and a cost. APGR (RouteLLM, arXiv 2406.18665) is the area under the
"performance gap recovered" curve over k, normalised so always-weak = 0 and always-strong = 1;
random routing scores 0.5. Costs are relative: a strong call costs 1, a weak call
``cheap_cost_ratio``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class CurvePoint:
    strong_share: float  # fraction of prompts sent to the strong model
    cost: float  # relative to always-strong (= 1.0)
    quality: float  # mean outcome of the routed answers
    random_quality: float  # expected quality of random routing at the same cost


@dataclass(frozen=True, slots=True)
class RoutingReport:
    n: int
    strong_quality: float
    weak_quality: float
    cheap_cost_ratio: float
    apgr: float | None  # None when strong and weak are equally good here
    random_apgr: float | None
    share_for_95: float | None  # smallest strong share reaching 95% of strong quality
    cost_saved_at_95: float | None  # 1 - relative cost at that share
    curve: tuple[CurvePoint, ...]


def routed_quality(strong: np.ndarray, weak: np.ndarray, score: np.ndarray, share: float) -> float:
    """Mean outcome when the top ``share`` of prompts by score go to the strong model."""
    n = len(score)
    k = int(round(share * n))
    order = np.argsort(-score, kind="stable")
    routed = weak.copy()
    routed[order[:k]] = strong[order[:k]]
    return float(routed.mean()) if n else 0.0


def apgr(strong: np.ndarray, weak: np.ndarray, score: np.ndarray, steps: int = 10) -> float | None:
    """Trapezoidal area under the PGR curve at ``steps`` equal strong-share intervals."""
    gap = float(strong.mean() - weak.mean())
    if abs(gap) < 1e-12:
        return None
    shares = np.linspace(0.0, 1.0, steps + 1)
    pgr = np.array([(routed_quality(strong, weak, score, s) - weak.mean()) / gap for s in shares])
    return float(((pgr[:-1] + pgr[1:]) / 2).mean())


def evaluate_routing(
    strong: np.ndarray,
    weak: np.ndarray,
    score: np.ndarray,
    *,
    cheap_cost_ratio: float = 0.1,
    target: float = 0.95,
    grid: int = 100,
) -> RoutingReport:
    strong = np.asarray(strong, dtype=float)
    weak = np.asarray(weak, dtype=float)
    score = np.asarray(score, dtype=float)
    q_strong, q_weak = float(strong.mean()), float(weak.mean())
    curve = []
    for share in np.linspace(0.0, 1.0, grid + 1):
        curve.append(CurvePoint(
            strong_share=float(share),
            cost=float(share + (1.0 - share) * cheap_cost_ratio),
            quality=routed_quality(strong, weak, score, float(share)),
            random_quality=float(q_weak + share * (q_strong - q_weak)),
        ))
    reached = [p for p in curve if p.quality >= target * q_strong - 1e-12]
    first = reached[0] if reached else None
    has_gap = abs(q_strong - q_weak) > 1e-12
    return RoutingReport(
        n=len(score),
        strong_quality=q_strong,
        weak_quality=q_weak,
        cheap_cost_ratio=cheap_cost_ratio,
        apgr=apgr(strong, weak, score),
        random_apgr=0.5 if has_gap else None,
        share_for_95=first.strong_share if first else None,
        cost_saved_at_95=1.0 - first.cost if first else None,
        curve=tuple(curve),
    )
