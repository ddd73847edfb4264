"""The flagship course's own assessments meet the bar the platform sets for instructors.

The platform signs certificates on the final exam, so its content is held to the item-quality checks
(``content check --strict``) and the guessing audit: a learner without the subject, using length,
wording or position cues, must not get near the pass mark, and no simulation may be passed by always
taking the longest, the shortest or the first choice.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from academy.domain import content, guessing, item_quality
from academy.domain.quiz_format import QuizDef, Scenario, unit_questions, unit_tags
from tests.support.content_tree import FakeLinks

REPO = Path(__file__).resolve().parents[2]
COURSE = "mim-service-models"


@pytest.fixture(scope="module")
def snapshot() -> content.Snapshot:
    loaded, problems = content.load(REPO, FakeLinks())
    assert problems == []
    return loaded


@pytest.fixture(scope="module")
def course(snapshot) -> content.CourseContent:
    return next(c for c in snapshot.courses if c.slug == COURSE)


@pytest.fixture(scope="module")
def quizzes(course) -> dict[str, QuizDef]:
    return {q.slug: QuizDef.from_dict(q.definition) for q in course.quizzes}


def test_the_repository_content_has_no_item_quality_warnings(snapshot):
    assert [str(w) for w in snapshot.warnings] == []


def test_no_guessing_strategy_beats_chance_by_more_than_the_margin(course, quizzes):
    for slug, quiz in quizzes.items():
        report = guessing.audit(quiz, f"quizzes/{COURSE}/{slug}.md")
        margin = item_quality.MARGIN_FINAL if quiz.final else item_quality.MARGIN_PRACTICE
        beaten = [(s.name, round(s.above_chance, 1)) for s in report.strategies if s.above_chance > margin]
        assert beaten == [], slug
        assert not any(s.passes for s in report.strategies), slug


def test_no_simulation_is_passed_by_always_taking_the_longest_shortest_or_first_choice(quizzes):
    simulations = {slug: quiz for slug, quiz in quizzes.items() if quiz.branching_scenarios()}
    assert len(simulations) >= 3
    for slug, quiz in simulations.items():
        for scenario in quiz.branching_scenarios():
            walks = guessing.walks_of(scenario, quiz.pass_mark)
            assert [w.rule for w in walks if w.passed] == [], slug


def test_every_simulation_ending_declares_whether_it_passes_and_the_recommended_path_passes(quizzes):
    for slug, quiz in quizzes.items():
        for scenario in quiz.branching_scenarios():
            endings = [s for s in scenario.steps if s.is_ending]
            assert all(e.outcome in ("pass", "fail") for e in endings), slug
            step, points = scenario.first_step, 0
            while not step.is_ending:
                best = next(c for c in step.choices if c.recommended)
                points, step = points + best.points, scenario.step(best.next)
            assert step.outcome == "pass" and scenario.passes(points, quiz.pass_mark), slug


def test_the_recommended_choice_is_not_findable_by_length_in_any_simulation(quizzes):
    for slug, quiz in quizzes.items():
        for scenario in quiz.branching_scenarios():
            ranks = Counter()
            for step in scenario.steps:
                if step.is_ending:
                    continue
                lengths = sorted((len(c.text_html) for c in step.choices), reverse=True)
                best = next(c for c in step.choices if c.recommended)
                ranks[lengths.index(len(best.text_html))] += 1
            decisions = sum(ranks.values())
            assert max(ranks.values()) <= decisions / 2, (slug, ranks)


def test_the_exam_draws_a_blueprint_across_modules_one_to_six_from_a_bank_of_sixty(course, quizzes):
    exam = next(q for q in quizzes.values() if q.final)
    assert exam.question_count >= 60 and exam.review == "summary"
    assert (exam.pass_mark, exam.attempts, exam.time_limit) == (80, 3, 45)
    modules = [m.file_name.removesuffix(".md") for m in course.modules][:6]  # 01-... to 06-...
    assert sorted(exam.blueprint) == modules
    bank = Counter()
    for unit in exam.units:
        for tag in unit_tags(unit):
            bank[tag] += unit_questions(unit)
    for tag, drawn in exam.blueprint.items():
        assert bank[tag] >= 2 * drawn, tag


def test_exam_scenarios_are_not_the_practice_quizzes_scenarios(quizzes):
    def scenario_titles(quiz: QuizDef) -> set[str]:
        return {u.title for u in quiz.units if isinstance(u, Scenario)}

    exam = next(q for q in quizzes.values() if q.final)
    practice = set().union(*(scenario_titles(q) for q in quizzes.values() if not q.final))
    assert scenario_titles(exam) and not scenario_titles(exam) & practice


def test_the_certificate_title_names_no_invented_level(course):
    assert course.certificate_title == "Certificate in MIM Service Models"
