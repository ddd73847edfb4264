"""Searching the admin lists and a manager's matrix: a case-insensitive substring of the same columns,
whatever the index underneath, and what the user types is only ever text to find."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from academy.models import Certificate, Course, User, utcnow
from academy.services import certificates, organisations, people
from academy.services.people import UserFilter
from tests.support import certification as course_support
from tests.support.organisations import make_organisation

NAMES = ["Ada Smith", "Bob SMITHSON", "Carla Blacksmith", "Dan O'Brien", 'Eve "Quoted" Near', "Fay 50% Off",
         "Gus under_score", "Hal Back\\slash", "Ivy Star*Light", "Jürgen Smith-Lüdke", "Kim NEAR Jones",
         "Lee Smith OR Jones", "Mo A", "Ny ab"]
#: Queries a person might type, and hostile ones: LIKE wildcards, FTS5 syntax, quotes, SQL, length.
QUERIES = ["smith", "SMITH", "mith", "sm", "s", "a", "ab", " smith ", "black", "ürgen", "o'b", "'", "''",
           '"', '"quoted"', '"quoted', 'quoted"', "*", "star*", "near", "NEAR(", "near jones", "smith or jones",
           "OR", "AND", "NOT smith", "-smith", "^smith", "smith*", "%", "50%", "%%", "_", "under_", "_score",
           "\\", "back\\slash", "\\%", "@", "example.org", "'; DROP TABLE users; --", "x" * 299 + "smith",
           "smith" * 2000, "a" * 301, "\t", "smi th", "{name}:smith", "name:smith", "( )", "a\x00b", "smi\x00"]


def fold(text: str) -> str:
    """Case folding as both backends' ``lower()``/``ILIKE`` agree on it (the test data keeps to it)."""
    return text.lower()


@pytest.fixture
def named(db):
    """A person per name in NAMES, emails made from the index, one organisation for the matrix."""
    org = make_organisation(db, "Northbank Financial")
    db.add_all([User(name=name, email=f"person{n}@example.org", password_hash="x", organisation_id=org)
                for n, name in enumerate(NAMES)])
    db.commit()
    return org


def expected_users(db, query: str) -> list[int]:
    needle = fold(query.strip())
    rows = db.execute(select(User.id, User.name, User.email).order_by(User.name, User.id))
    return [row.id for row in rows if needle in fold(row.name) or needle in row.email]


def all_pages(search, first_page):
    items, page = list(first_page.items), first_page
    while page.has_next:
        page = search(page.number + 1)
        items.extend(page.items)
    return items


def test_the_users_search_finds_exactly_the_substring_matches(db, named):
    for query in QUERIES:
        found = people.search_users(db, UserFilter(query=query))
        assert [user.id for user in found.items] == expected_users(db, query), query
        assert found.total == len(found.items), query


def test_the_matrix_search_finds_exactly_the_substring_matches(db, named):
    for query in QUERIES:
        found = organisations.matrix(db, named, organisations.MatrixFilter(query=query), utcnow())
        assert [row.user_id for row in found.rows] == expected_users(db, query), query


def test_wildcards_are_characters_to_find_not_patterns(db, named):
    def names(query: str) -> list[str]:
        return [user.name for user in people.search_users(db, UserFilter(query=query)).items]

    assert names("%") == ["Fay 50% Off"]
    assert names("_") == ["Gus under_score"]
    assert names("s%f") == [] and names("d_n") == []
    assert names("r*l") == ["Ivy Star*Light"]


def test_the_search_follows_renames_and_removals(db, named):
    ada = db.scalar(select(User).where(User.name == "Ada Smith"))
    db.execute(update(User).where(User.id == ada.id).values(name="Ada Lovelace"))
    db.commit()
    assert "Ada Lovelace" in [u.name for u in people.search_users(db, UserFilter(query="lovelace")).items]
    assert "Ada Lovelace" not in [u.name for u in people.search_users(db, UserFilter(query="smith")).items]
    db.execute(delete(User).where(User.id == ada.id))
    db.commit()
    assert people.search_users(db, UserFilter(query="lovelace")).total == 0


def test_a_long_search_pages_through_every_match_in_order(db):
    db.add_all([User(name=f"{who} {n:03d}", email=f"{who}{n}@example.org", password_hash="x")
                for n in range(120) for who in ("Smith", "Other")])
    db.commit()
    first = people.search_users(db, UserFilter(query="smith"))
    everyone = all_pages(lambda number: people.search_users(db, UserFilter(query="smith", page=number)), first)
    assert first.total == 120 and [u.name for u in everyone] == [f"Smith {n:03d}" for n in range(120)]


# --- certificates ---------------------------------------------------------------------------------

@pytest.fixture
def certified(app, runner, content_dir, db):
    """A certificate per name in NAMES (holder name, and in turn the title and course title)."""
    course_support.publish(runner, content_dir)
    holders = [User(name=name, email=f"holder{n}@example.org", password_hash="x") for n, name in enumerate(NAMES)]
    db.add_all(holders)
    db.flush()
    course = db.execute(select(Course.id, Course.current_version_id).where(Course.slug == course_support.SLUG)).one()
    now = utcnow()
    for n, (name, user) in enumerate(zip(NAMES, holders, strict=True)):
        db.add(Certificate(code=f"TEST-{n:04d}-CODE", user_id=user.id, course_id=course.id,
                           course_version_id=course.current_version_id, holder_name=name, identity_hash="x",
                           identity_salt="x", title=f"Certified {NAMES[-1 - n]}", course_title="Incident Basics",
                           awarded_at=now, issued_at=now))
    db.commit()


def expected_certificates(db, query: str) -> list[int]:
    needle = fold(" ".join(query.split())[:200])
    rows = db.execute(select(Certificate.id, Certificate.holder_name, Certificate.course_title, Certificate.title,
                             Certificate.code).order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    return [row.id for row in rows if needle and any(needle in fold(value) for value in row[1:])]


def test_the_certificates_search_finds_exactly_the_substring_matches(db, certified):
    for query in [*QUERIES, "test-0003", "0003-co", "incident basics", "certified ada"]:
        found = certificates.search(db, query)
        if " ".join(query.split()):
            assert [s.certificate.id for s in found.items] == expected_certificates(db, query), query
        else:
            assert found.total == len(NAMES), query


def test_a_certificate_is_found_by_its_code_typed_in_any_case(db, certified):
    [standing] = certificates.search(db, "test-0007-code").items
    assert standing.certificate.holder_name == NAMES[7]
