"""xAPI statements built from plain facts: valid 1.0.3, stable ids, the documented verbs."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from academy.domain import xapi
from tests.support.xapi import problems

SITE = xapi.Site("https://academy.example/")
AT = datetime(2026, 11, 27, 9, 42, 5, 123456, tzinfo=UTC)
ADA = xapi.Actor("Ada Lovelace", "ada@example.com")
COURSE = SITE.course("mim-service-models", "MIM Service Models")
QUIZ = SITE.quiz("mim-service-models", "final-exam", "Final exam")


def events() -> list[xapi.Event]:
    module = SITE.module("mim-service-models", "01-what-is", "What a major incident is")
    question = SITE.question("mim-service-models", "final-exam", "penrose", "Which model fits?", correct=("a", "c"))
    path = SITE.question("mim-service-models", "final-exam", "checkout", "Checkout fails", correct=None,
                         branching=True)
    return [
        xapi.ModuleViewed(1, ADA, COURSE, module, AT),
        xapi.ModuleCompleted(1, ADA, COURSE, module, AT, seconds_spent=3723),
        xapi.QuizFinished(7, ADA, COURSE, QUIZ, AT - timedelta(minutes=12), AT, 86, 43, 50, True),
        xapi.QuizFinished(8, ADA, COURSE, QUIZ, AT - timedelta(seconds=30), AT, -20, -4, 20, False),
        xapi.QuestionAnswered(11, ADA, COURSE, QUIZ, question, ("a", "c"), True, AT),
        xapi.QuestionAnswered(12, ADA, COURSE, QUIZ, path, ("a", "b", "a"), None, AT),
        xapi.CertificateEarned(3, ADA, COURSE, SITE.certificate("7KQ2-M9XD-4HWT-B8NC-R3VJ", "Certified"), AT, 86),
        xapi.CertificateEarned(4, ADA, COURSE, SITE.certificate("ABCD-M9XD-4HWT-B8NC-R3VJ", "Certified"), AT, None),
    ]


@pytest.mark.parametrize("event", events(), ids=lambda e: type(e).__name__)
def test_every_kind_of_statement_is_valid_xapi_1_0_3(event):
    statement = xapi.statement(SITE, event)
    assert problems(statement) == []
    assert statement["version"] == "1.0.3"
    assert statement["timestamp"] == "2026-11-27T09:42:05.123Z"


def test_the_validator_catches_what_it_is_for():
    good = xapi.statement(SITE, events()[2])
    broken = {**good, "id": "not-a-uuid", "timestamp": "27/11/2026",
              "verb": {"id": "passed", "display": {"english!": "passed"}},
              "result": {**good["result"], "duration": "12 minutes", "score": {"scaled": 0.5, "raw": 9, "max": 5}}}
    found = problems(broken)
    for fragment in ("UUID", "IRI", "language tag", "ISO 8601 with a time zone", "ISO 8601 duration", "raw"):
        assert any(fragment in p for p in found), (fragment, found)
    assert problems({**good, "result": {"score": {"scaled": 1.5}}})


def test_verbs_come_from_the_documented_vocabularies():
    verbs = [xapi.statement(SITE, e)["verb"] for e in events()]
    assert [v["id"].rsplit("/", 1)[1] for v in verbs] == [
        "experienced", "completed", "passed", "failed", "answered", "answered", "earned", "earned"]
    assert all(v["id"].startswith("http://adlnet.gov/expapi/verbs/") for v in verbs[:6])
    assert verbs[-1]["id"] == "http://id.tincanapi.com/verb/earned"


def test_the_learner_is_named_and_identified_by_a_hash_of_their_address_only():
    actor = xapi.statement(SITE, events()[0])["actor"]
    assert actor == {"objectType": "Agent", "name": "Ada Lovelace",
                     "mbox_sha1sum": hashlib.sha1(b"mailto:ada@example.com").hexdigest()}  # noqa: S324


def test_results_carry_scaled_scores_success_and_iso_durations():
    finished = xapi.statement(SITE, events()[2])["result"]
    assert finished == {"score": {"scaled": 0.86, "raw": 43, "min": 0, "max": 50}, "success": True,
                        "completion": True, "duration": "PT12M"}
    costly = xapi.statement(SITE, events()[3])["result"]["score"]
    assert costly == {"scaled": -0.2, "raw": -4, "min": -4, "max": 20}
    assert xapi.statement(SITE, events()[1])["result"]["duration"] == "PT1H2M3S"


@pytest.mark.parametrize(("seconds", "text"), [(0, "PT0S"), (59.6, "PT1M"), (3600, "PT1H"), (-5, "PT0S"),
                                               (90061, "PT25H1M1S")])
def test_durations(seconds, text):
    assert xapi.duration(seconds) == text


def test_questions_are_choice_interactions_with_their_correct_response():
    answered = xapi.statement(SITE, events()[4])
    assert answered["object"]["id"] == \
        "https://academy.example/courses/mim-service-models/quizzes/final-exam/questions/penrose"
    assert answered["object"]["definition"]["interactionType"] == "choice"
    assert answered["object"]["definition"]["correctResponsesPattern"] == ["a[,]c"]
    assert answered["result"] == {"response": "a[,]c", "success": True}
    assert answered["context"]["contextActivities"]["parent"][0]["id"] == QUIZ.iri
    walked = xapi.statement(SITE, events()[5])
    assert walked["object"]["definition"]["interactionType"] == "sequencing"
    assert walked["result"] == {"response": "a[,]b[,]a"}


def test_ids_are_stable_per_source_row_and_differ_between_kinds_rows_and_sites():
    viewed, completed = events()[:2]
    assert xapi.statement(SITE, viewed)["id"] == xapi.statement(SITE, viewed)["id"]
    assert xapi.statement(SITE, viewed)["id"] != xapi.statement(SITE, completed)["id"]
    other_site = xapi.Site("https://other.example")
    assert xapi.statement(SITE, viewed)["id"] != xapi.statement(other_site, viewed)["id"]


def test_activity_ids_are_encoded_iris_under_the_base_url():
    module = SITE.module("course one", "módulo/1", "Title")
    assert module.iri == "https://academy.example/courses/course%20one/m%C3%B3dulo%2F1"
