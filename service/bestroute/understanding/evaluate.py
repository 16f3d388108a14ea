"""``bestroute eval``: how good is the router's reading of tasks, measured on labelled prompts.

Rows may carry a gold task type (taskmix format: ``text``, ``gold_type``) and/or per-model
outcomes (strong/weak format: ``prompt``, ``strong_score``, ``weak_score``). Type accuracy is
reported overall and per type; routing by difficulty is compared with always-premium,
always-cheap and random routing at the same cost, per ``benchmark`` when rows name one.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from . import TASK_TYPES, Understanding, understand
from .routing_metrics import RoutingReport, evaluate_routing


@dataclass
class TypeReport:
    n: int = 0
    correct: int = 0
    per_type: dict[str, dict] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.n else None


@dataclass
class EvalReport:
    rows: int
    types: TypeReport
    routing: dict[str, RoutingReport]  # "all" plus one per benchmark

    def to_dict(self) -> dict:
        routing = {}
        for name, rep in self.routing.items():
            d = asdict(rep)
            d["curve"] = [asdict(p) for p in rep.curve[:: max(1, len(rep.curve) // 10)]]
            routing[name] = d
        types = asdict(self.types) | {"accuracy": self.types.accuracy}
        return {"rows": self.rows, "task_type": types, "routing": routing}


def row_text(row: dict) -> str:
    return str(row.get("text") if row.get("text") is not None else row.get("prompt") or "")


def type_report(golds: list[str], preds: list[str]) -> TypeReport:
    rep = TypeReport(n=len(golds), correct=sum(g == p for g, p in zip(golds, preds)))
    confusion: dict[str, Counter] = defaultdict(Counter)
    for g, p in zip(golds, preds):
        confusion[g][p] += 1
    for t in TASK_TYPES:
        n = sum(confusion[t].values())
        predicted = sum(confusion[g][t] for g in confusion)
        hit = confusion[t][t]
        if n or predicted:
            rep.per_type[t] = {
                "n": n,
                "accuracy": hit / n if n else None,
                "precision": hit / predicted if predicted else None,
            }
    rep.confusion = {g: dict(c) for g, c in confusion.items()}
    return rep


def evaluate(
    rows: list[dict],
    *,
    reader: Callable[[str], Understanding] = understand,
    cheap_cost_ratio: float = 0.1,
    progress: Iterable | None = None,
) -> EvalReport:
    results = [reader(row_text(r)) for r in (progress if progress is not None else rows)]
    typed = [(r["gold_type"], u.task_type) for r, u in zip(rows, results) if r.get("gold_type")]
    scored = [(r, u) for r, u in zip(rows, results)
              if r.get("strong_score") is not None and r.get("weak_score") is not None]
    groups: dict[str, list] = {"all": scored} if scored else {}
    benchmarks = sorted({str(r.get("benchmark")) for r, _ in scored if r.get("benchmark")})
    if len(benchmarks) > 1:
        for b in benchmarks:
            groups[b] = [(r, u) for r, u in scored if str(r.get("benchmark")) == b]
    routing = {}
    for name, pairs in groups.items():
        routing[name] = evaluate_routing(
            np.array([float(r["strong_score"]) for r, _ in pairs]),
            np.array([float(r["weak_score"]) for r, _ in pairs]),
            np.array([u.difficulty for _, u in pairs]),
            cheap_cost_ratio=cheap_cost_ratio,
        )
    return EvalReport(
        rows=len(rows),
        types=type_report([g for g, _ in typed], [p for _, p in typed]),
        routing=routing,
    )


def _fmt(x: float | None, spec: str = ".3f") -> str:
    return "n/a" if x is None else format(x, spec)


def render(report: EvalReport) -> str:
    lines = [f"rows: {report.rows}"]
    t = report.types
    if t.n:
        lines.append(f"task type accuracy: {_fmt(t.accuracy)} ({t.correct}/{t.n})")
        for name, d in t.per_type.items():
            lines.append(f"  {name:<26} n={d['n']:<5} accuracy={_fmt(d['accuracy'])} "
                         f"precision={_fmt(d['precision'])}")
    for name, r in report.routing.items():
        lines.append(f"routing [{name}] n={r.n} (cheap call costs {r.cheap_cost_ratio:g} of a premium call)")
        lines.append(f"  always-premium quality={_fmt(r.strong_quality)} cost=1.000")
        lines.append(f"  always-cheap   quality={_fmt(r.weak_quality)} cost={_fmt(r.cheap_cost_ratio)}")
        lines.append(f"  APGR={_fmt(r.apgr)} (random {_fmt(r.random_apgr)})")
        if r.share_for_95 is not None:
            p = next(c for c in r.curve if c.strong_share == r.share_for_95)
            lines.append(f"  95% of premium quality with {r.share_for_95:.0%} premium calls: "
                         f"cost saved {_fmt(r.cost_saved_at_95)} (router quality {_fmt(p.quality)}, "
                         f"random at same cost {_fmt(p.random_quality)})")
        for share in (0.2, 0.5, 0.8):
            p = min(r.curve, key=lambda c: abs(c.strong_share - share))
            lines.append(f"  {share:.0%} premium: cost={_fmt(p.cost)} quality={_fmt(p.quality)} "
                         f"random={_fmt(p.random_quality)}")
    return "\n".join(lines) + "\n"


def plot(report: EvalReport, path: str) -> None:
    """Cost-quality curves, one per routing group, written as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    if not report.routing:
        ax.text(0.5, 0.5, "no strong/weak outcomes in the input", ha="center", va="center")
    for name, r in report.routing.items():
        cost = [p.cost for p in r.curve]
        line, = ax.plot(cost, [p.quality for p in r.curve], label=f"{name}: router (APGR {_fmt(r.apgr, '.2f')})")
        ax.plot(cost, [p.random_quality for p in r.curve], linestyle="--", color=line.get_color(),
                alpha=0.6, label=f"{name}: random")
        ax.scatter([r.cheap_cost_ratio, 1.0], [r.weak_quality, r.strong_quality], color=line.get_color(), marker="o")
        ax.axhline(0.95 * r.strong_quality, color=line.get_color(), linestyle=":", alpha=0.5,
                   label=f"{name}: 95% of premium quality")
    ax.set_xlabel("cost relative to always-premium")
    ax.set_ylabel("quality (mean outcome)")
    ax.set_title("BestRoute difficulty routing: cost vs quality")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


def progress_bar(rows: list[dict], enabled: bool) -> Iterable:
    from tqdm import tqdm

    return tqdm(rows, file=sys.stderr, disable=not enabled, desc="eval", unit="prompt")
