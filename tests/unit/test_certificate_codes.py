"""Certificate codes: random enough, easy to read aloud, forgiving when typed."""

import re

from hypothesis import given
from hypothesis import strategies as st

from academy.domain.certificate_codes import ALPHABET, RANDOM_BITS, new_code, parse

SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


def test_a_code_is_five_groups_of_four_crockford_symbols_carrying_100_random_bits():
    code = new_code()
    assert SHAPE.match(code), code
    assert RANDOM_BITS >= 80
    assert not set(code) & set("ILOU")


def test_codes_do_not_repeat():
    codes = {new_code() for _ in range(5000)}
    assert len(codes) == 5000


def test_every_symbol_of_the_alphabet_turns_up():
    seen = set("".join(new_code() for _ in range(300)).replace("-", ""))
    assert seen == set(ALPHABET)


def test_typed_codes_are_forgiven_case_spacing_and_look_alikes():
    assert parse("7kq2 m9xd 4hwt b8nc r3vj") == "7KQ2-M9XD-4HWT-B8NC-R3VJ"
    assert parse(" 7KQ2M9XD4HWTB8NCR3VJ\t") == "7KQ2-M9XD-4HWT-B8NC-R3VJ"
    assert parse("7KQ2–M9XD–4HWT–B8NC–R3VJ") == "7KQ2-M9XD-4HWT-B8NC-R3VJ"  # en dashes from a word processor
    assert parse("O0IL-1ABC-DEFG-HJKM-NPQR") == "0011-1ABC-DEFG-HJKM-NPQR"


def test_anything_else_is_not_a_code():
    for typed in ["", None, "7KQ2-M9XD-4HWT-B8NC", "7KQ2-M9XD-4HWT-B8NC-R3VJ-X", "UUUU-M9XD-4HWT-B8NC-R3VJ",
                  "7KQ2-M9XD-4HWT-B8NC-R3V!", "../../etc/passwd", "7" * 2000, "７KQ2-M9XD-4HWT-B8NC-R3VJ"]:
        assert parse(typed) is None, typed


@given(st.text(max_size=80))
def test_parsing_any_text_gives_a_well_formed_code_or_nothing(text):
    code = parse(text)
    assert code is None or SHAPE.match(code)


def test_a_new_code_parses_to_itself():
    for _ in range(200):
        code = new_code()
        assert parse(code) == code
        assert parse(code.lower().replace("-", " ")) == code
