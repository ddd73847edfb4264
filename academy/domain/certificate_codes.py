"""Certificate codes: random, unguessable, and easy to read aloud and type.

A code is 20 symbols of Crockford's base32 alphabet (digits and capitals without I, L, O and U),
shown in five groups of four: ``7KQ2-M9XD-4HWT-B8NC-R3VJ``. Twenty symbols carry 100 random bits,
so guessing a valid code is hopeless even for someone who knows millions of them.

People copy codes from paper and phone calls, so :func:`parse` forgives what they get wrong in
harmless ways: lower case, spaces or other separators anywhere, and the look-alikes Crockford
names (O for 0, I and L for 1). Anything else is not a code.
"""

from __future__ import annotations

import secrets

#: Crockford's base32: 0-9 and A-Z without I, L, O, U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SYMBOLS = 20
GROUP = 4
RANDOM_BITS = SYMBOLS * 5
#: Separators people type between groups; all are ignored.
_SEPARATORS = str.maketrans("", "", " -_.\u2010\u2011\u2012\u2013\u2014\u2212\t")
#: Look-alikes read as the symbol they are mistaken for.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: The longest input worth examining (a code with generous spacing); longer input is not a code.
MAX_INPUT = 64


def new_code() -> str:
    """A fresh random code in display form."""
    value = secrets.randbits(RANDOM_BITS)
    symbols = []
    for _ in range(SYMBOLS):
        symbols.append(ALPHABET[value & 31])
        value >>= 5
    return _group("".join(symbols))


def parse(typed: str | None) -> str | None:
    """The code in display form, or None when ``typed`` cannot be a code.

    >>> parse(" 7kq2 m9xd-4hwt b8nc r3vj ")
    '7KQ2-M9XD-4HWT-B8NC-R3VJ'
    """
    if not typed or len(typed) > MAX_INPUT:
        return None
    compact = typed.translate(_SEPARATORS).upper().translate(_LOOK_ALIKES)
    if len(compact) != SYMBOLS or any(ch not in ALPHABET for ch in compact):
        return None
    return _group(compact)


def _group(compact: str) -> str:
    return "-".join(compact[i:i + GROUP] for i in range(0, SYMBOLS, GROUP))
