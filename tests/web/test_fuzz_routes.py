"""A fuzz pass over the whole URL map: generated path values, query parameters and form fields (text,
huge numbers, odd encodings, file parts where text is expected) for every route and method, as each
role. Whatever arrives, the answer is never a 5xx.

Field names come from every form class in the code and query names from the views, so a new form or
parameter is covered without touching this file. The example count keeps the pass to a minute or two
(derandomised in CI by the suite's hypothesis profile).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from academy.models import Role
from academy.web.forms import BaseForm

REPO = Path(__file__).resolve().parents[2]
SKIPPED = {"auth.logout", "static"}  # sign-out would end the role under test; static files are Werkzeug's
PREFIXES = ("", "asset-", "module-", "reissue-", "revoke-")


def _form_classes(cls=BaseForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _form_classes(sub)


def _field_names() -> list[str]:
    names = set()
    for form in _form_classes():
        for klass in form.__mro__:
            names |= {n for n, v in vars(klass).items() if isinstance(v, UnboundField)}
    return sorted(f"{prefix}{name}" for name in names for prefix in PREFIXES) + ["q-x", "choose", "action", "state"]


def _query_names() -> list[str]:
    found = set()
    for path in (REPO / "academy" / "web").rglob("*.py"):
        found |= set(re.findall(r"""args\.get\(\s*["']([a-z_]+)["']""", path.read_text(encoding="utf-8")))
    return sorted(found | {"page", "limit", "cursor", "next", "download", "v"})


FIELDS = _field_names()
QUERY = _query_names()
HUGE = ["9223372036854775808", "9" * 30, "-1", "0", "1e308", "NaN", "0x10", "١٢٣"]
VALUES = st.one_of(
    st.sampled_from(HUGE + ["", " ", "demo", "01-basics", "basics-check", "%00", "../../etc/passwd", "//evil.example",
                            "\u202eecilA", "{\"items\":[],\"paths\":[]}", "[" * 5000, "<script>x</script>",
                            "AAAA-BBBB-CCCC-DDDD-EEEE", "a" * 3000, "true", "null", "2026-13-45"]),
    st.text(max_size=60),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
PATH_VALUES = st.one_of(
    st.sampled_from(HUGE + ["demo", "01-basics", "basics-check", "courses/demo/01-basics.md", "1", "2"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%"), min_size=1,
            max_size=30),
)
#: Examples per route and role: every route is visited, the first example with the largest numbers.
FUZZ = settings(max_examples=4, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _routes(app):
    return sorted((rule.rule, rule.endpoint, method, tuple(rule.arguments))
                  for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED
                  for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))


def _url(rule: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([a-z_]+)>", lambda m: quote(values[m.group(1)], safe="/"), rule)


@st.composite
def requests(draw, route):
    rule, endpoint, method, arguments = route
    path = _url(rule, {name: draw(PATH_VALUES) for name in arguments})
    query = draw(st.dictionaries(st.sampled_from(QUERY), VALUES, max_size=3))
    fields = draw(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=5)) if method == "POST" else {}
    as_files = draw(st.booleans()) if fields else False
    return endpoint, method, path, query, fields, as_files


@pytest.fixture
def demo_site(db, course_tree):
    from academy.domain import content
    from academy.services import publishing
    from tests.support.content_tree import FakeLinks
    course_tree.standard()
    snapshot, problems = content.load(course_tree.root, FakeLinks())
    assert problems == []
    publishing.sync(db, snapshot)


@pytest.mark.parametrize("role", [None, Role.LEARNER, Role.INSTRUCTOR, Role.ADMIN])
def test_no_route_answers_5xx_whatever_it_is_sent(app, client, client_as, demo_site, role):
    browser = client_as(role) if role else client
    token = browser.csrf_token("/login" if role is None else "/dashboard")
    def run(request):
        endpoint, method, path, query, fields, as_files = request
        if method == "GET":
            response = browser.get(path, query_string=query)
        else:
            data = {"csrf_token": token, **fields}
            if as_files:
                data = {k: (io.BytesIO(v.encode("utf-8", "surrogatepass")), "f.txt") if k != "csrf_token" else v
                        for k, v in data.items()}
                response = browser.post(path, query_string=query, data=data, content_type="multipart/form-data")
            else:
                data = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in data.items()}
                response = browser.post(path, query_string=query, data=data)
        assert response.status_code < 500, (endpoint, method, path, query, fields, response.status_code)

    for route in _routes(app):
        FUZZ(given(request=requests(route))(run))()
