"""Item statistics from real attempts (classical test theory), computed from sums SQL can aggregate.

Every figure here is a function of a few sums per item, per option and per quiz, so the database
does the heavy lifting with one ``GROUP BY`` each and Python only divides (it stays fast at
100,000 learners). Scores are in points: 1 per ordinary question, the path's points for a
branching scenario; an attempt's total is its points.

* **Facility**: mean points over points possible (the share answering correctly, for a question).
* **Discrimination**: the corrected item-total (point-biserial) correlation: the item's score
  against the attempt's total *without that item*, so an item does not correlate with itself.
* **Distractor analysis**: the share choosing each option and the mean score (percent) of those
  who chose it; a distractor whose choosers score higher on average than the key's is flagged.
* **Reliability**: Cronbach's alpha (KR-20 for right/wrong items),
  ``k/(k-1) * (1 - sum of item variances / variance of totals)``. With ``draw`` each attempt is
  asked ``k`` items from a larger bank; the sum of the item variances is then estimated as ``k``
  times their mean (exact when every attempt is asked every item).

Flags follow common rules of thumb (Ebel and Frisbie): facility below 0.20 or above 0.90,
discrimination below 0.20 (negative: check the key), and a distractor preferred by high scorers.
Below :data:`MIN_ANSWERS` answers an item gets no flags: the figures are still noise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

MIN_ANSWERS = 30
HARD = 0.20
EASY = 0.90
WEAK_DISCRIMINATION = 0.20


@dataclass(frozen=True)
class ItemSums:
    """Sums over the attempts that were asked one item: x = item points, t = attempt total points."""

    key: str
    n: int
    max_points: int
    sum_x: float
    sum_xx: float
    sum_t: float
    sum_tt: float
    sum_xt: float


@dataclass(frozen=True)
class OptionSums:
    """How many chose an option, and the sum of their attempts' percent scores."""

    key: str
    option: str
    n: int
    sum_percent: float


@dataclass(frozen=True)
class QuizSums:
    """Over finished attempts: count, sum and sum of squares of the totals, and items per attempt."""

    n: int
    sum_t: float
    sum_tt: float
    items_per_attempt: float


def facility(s: ItemSums) -> float | None:
    return s.sum_x / (s.n * s.max_points) if s.n and s.max_points else None


def item_variance(s: ItemSums) -> float:
    """Population variance of the item's points."""
    if not s.n:
        return 0.0
    mean = s.sum_x / s.n
    return max(s.sum_xx / s.n - mean * mean, 0.0)


def discrimination(s: ItemSums) -> float | None:
    """Corrected point-biserial: Pearson's r between x and (t - x). None when either does not vary."""
    n = s.n
    if n < 2:
        return None
    sum_y = s.sum_t - s.sum_x
    sum_yy = s.sum_tt - 2 * s.sum_xt + s.sum_xx
    sum_xy = s.sum_xt - s.sum_xx
    covariance = n * sum_xy - s.sum_x * sum_y
    spread = (n * s.sum_xx - s.sum_x ** 2) * (n * sum_yy - sum_y ** 2)
    if spread <= 1e-12:
        return None
    return covariance / math.sqrt(spread)


def reliability(items: Sequence[ItemSums], test: QuizSums) -> float | None:
    """Cronbach's alpha (KR-20 for right/wrong items); None without enough data to say."""
    k = test.items_per_attempt
    asked = [s for s in items if s.n]
    if test.n < 2 or k < 2 or not asked:
        return None
    mean = test.sum_t / test.n
    total_variance = test.sum_tt / test.n - mean * mean
    if total_variance <= 1e-12:
        return None
    item_variances = k * sum(item_variance(s) for s in asked) / len(asked)
    return k / (k - 1) * (1 - item_variances / total_variance)


@dataclass(frozen=True)
class OptionStatistics:
    option: str
    correct: bool
    chosen: int
    #: Share of the item's answers choosing it, 0..1.
    share: float
    #: Mean percent score of the attempts that chose it; None if nobody did.
    mean_score: float | None
    #: A distractor whose choosers outscore the key's choosers.
    flagged: bool = False


@dataclass(frozen=True)
class ItemStatistics:
    key: str
    answers: int
    facility: float | None
    discrimination: float | None
    options: tuple[OptionStatistics, ...]
    flags: tuple[str, ...] = field(default_factory=tuple)


def item_statistics(sums: ItemSums, options: Sequence[tuple[str, bool]],
                    chosen: dict[str, OptionSums]) -> ItemStatistics:
    """One item's figures and review flags; ``options`` are (option key, is correct) in file order."""
    p, r = facility(sums), discrimination(sums)
    answered = sum(c.n for c in chosen.values()) or sums.n
    key_means = [chosen[o].sum_percent / chosen[o].n for o, correct in options
                 if correct and o in chosen and chosen[o].n]
    key_mean = max(key_means) if key_means else None
    stats = []
    for option, correct in options:
        c = chosen.get(option)
        n = c.n if c else 0
        mean = c.sum_percent / n if c and n else None
        flagged = (not correct and mean is not None and key_mean is not None and mean > key_mean
                   and n >= 5 and sums.n >= MIN_ANSWERS)
        stats.append(OptionStatistics(option, correct, n, n / answered if answered else 0.0, mean, flagged))
    return ItemStatistics(sums.key, sums.n, p, r, tuple(stats), _flags(sums.n, p, r, stats))


def _flags(n: int, p: float | None, r: float | None, options: list[OptionStatistics]) -> tuple[str, ...]:
    if n < MIN_ANSWERS or p is None:
        return ()
    flags = []
    if p < HARD:
        flags.append("very hard: check the key and the teaching")
    elif p > EASY:
        flags.append("very easy: it tells learners apart little")
    if r is not None and r < 0:
        flags.append("negative discrimination: strong learners do worse; check the key")
    elif r is not None and r < WEAK_DISCRIMINATION:
        flags.append("weak discrimination")
    for o in options:
        if o.flagged:
            flags.append(f"distractor {o.option} is chosen by higher scorers than the key")
    return tuple(flags)
