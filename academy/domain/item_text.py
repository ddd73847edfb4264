"""Plain-text views of parsed quiz items, shared by the item-quality checks and the guessing audit.

Parsed quizzes hold rendered HTML; the checks look at what a learner reads: the words of a prompt or
an option, without markup, in lower case.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")

#: Words that claim without exception. Item-writing guides (Haladyna, Downing and Rodriguez 2002)
#: name them as a cue: test-wise learners eliminate options that contain them.
ABSOLUTE_WORDS = frozenset({
    "always", "never", "only", "guarantee", "guarantees", "guaranteed", "every", "everyone", "everything",
    "none", "nobody", "nothing", "entirely", "completely", "totally", "impossible", "certainly",
    "absolutely", "solely", "whatever", "cannot",
})

#: Hedging words: a key written carefully to be defensible often carries more of them.
HEDGE_WORDS = frozenset({
    "usually", "often", "may", "might", "can", "could", "typically", "generally", "some", "most", "likely",
    "depends", "unless", "where", "when", "mainly", "largely", "normally", "sometimes", "until", "if",
})

STOPWORDS = frozenset("""
a an the and or but of to in on at by for with from into onto as is are was were be been being it its
this that these those their them they he she his her we our you your i not no so than then there here
which who whom what when where why how do does did has have had will would should shall can could may
might must also about after before over under up down out off all any each more most other some such
own same too very just one two three four five six first second new s t
""".split())  # noqa: SIM905 (a word list reads better as text)


def plain(html_text: str) -> str:
    """Rendered HTML as the text a learner reads."""
    return " ".join(html.unescape(_TAG.sub(" ", html_text)).split())


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Every word of ``text``, lower case."""
    return tuple(w.lower() for w in _WORD.findall(text))


def _stem(word: str) -> str:
    """A crude stem so that 'supplier' and 'suppliers', 'escalate' and 'escalated' meet."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str, *, drop_names: bool = False) -> frozenset[str]:
    """The stems of ``text``'s meaningful words (no stop words); optionally without capitalised words.

    ``drop_names`` removes capitalised words, so a scenario retold with new company and people names
    still matches its original.
    """
    found = _WORD.findall(text)
    if drop_names:
        found = [w for w in found if not w[:1].isupper()]
    return frozenset(_stem(w.lower()) for w in found if w.lower() not in STOPWORDS and len(w) > 2)


def shingles(text: str, size: int = 2) -> frozenset[tuple[str, ...]]:
    """Overlapping runs of ``size`` content words (word shingles)."""
    tokens = [_stem(w) for w in words(text) if w not in STOPWORDS]
    if len(tokens) < size:
        return frozenset({tuple(tokens)}) if tokens else frozenset()
    return frozenset(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    """Shared over combined: 1.0 for equal sets, 0.0 for disjoint (or empty) ones."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def has_absolute(text: str) -> bool:
    return any(w in ABSOLUTE_WORDS for w in words(text))


def hedges(text: str) -> int:
    return sum(w in HEDGE_WORDS for w in words(text))


def length_ranks(lengths: list[int]) -> list[list[int]]:
    """Option indexes grouped by length, longest first: ``[[longest...], [second...], ...]``."""
    groups: dict[int, list[int]] = {}
    for i, n in enumerate(lengths):
        groups.setdefault(n, []).append(i)
    return [groups[n] for n in sorted(groups, reverse=True)]
