"""People's names as typed, minus the invisible characters that make text display as something else.

Bidirectional override and isolate controls (U+202A-U+202E, U+2066-U+2069) reorder the characters
after them: ``Alice \u202eecilA\u202c`` displays as "Alice Alice". Right-to-left names need none of
them (the Unicode bidi algorithm orders Arabic and Hebrew by itself), so forms refuse them, and
whatever reaches a certificate, a page or an export has them removed.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
MESSAGE = "This contains invisible characters that change the direction of text; type it without them."


def has_bidi_controls(text: str) -> bool:
    return bool(BIDI_CONTROLS.search(text))


def without_bidi_controls(text: str) -> str:
    """``text`` with every bidirectional override and isolate control removed."""
    return BIDI_CONTROLS.sub("", text)
