"""`flask content check` and `flask content sync`: output, exit status, all-or-nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from academy import create_app
from academy.models import AuditEvent, CourseVersion

SUMMARY = "1 course, 3 modules, 3 quizzes, 0 problems"


def versions(db) -> int:
    return db.scalar(select(func.count()).select_from(CourseVersion))


def test_check_passes_a_valid_tree_with_a_one_line_summary(runner, course_tree):
    course_tree.standard()
    result = runner.invoke(args=["content", "check"])
    assert (result.exit_code, result.output) == (0, SUMMARY + "\n")


def test_check_takes_another_directory(runner, course_tree, tmp_path):
    course_tree.standard()
    result = runner.invoke(args=["content", "check", str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert result.output.startswith(f"courses:1: no courses/ folder in {tmp_path / 'empty'}")


def test_check_prints_every_problem_as_path_line_message_and_fails(runner, course_tree):
    course_tree.standard()
    course_tree.edit("courses/demo/02-roles.md", "title: Roles", "titel: Roles")
    course_tree.write("courses/demo/assets/anim.gif", b"GIF89a")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "courses/demo/02-roles.md:1: front matter needs 'title'",
        "courses/demo/02-roles.md:2: unknown front matter key 'titel'; did you mean 'title'?",
        "courses/demo/assets/anim.gif:1: unsupported asset type '.gif': use SVG, PNG or JPEG images",
        "1 course, 2 modules, 3 quizzes, 3 problems",
    ]


def test_check_reports_branching_scenario_scores(runner, course_tree):
    course_tree.standard()
    course_tree.write("quizzes/demo/simulation.md", """\
---
title: Simulation
module: 02-roles
---
# Branching scenario: Outage {#outage}
It is down.

## First call {#start}
- [x] Declare a major incident {next: won, points: 10}
  > Good.
- [ ] Wait {next: lost, points: 0}
  > Bad.
- [ ] Watch the dashboards for another hour first {next: lost, points: 0}

## Ending: Restored {#won outcome: pass}
Back.

## Ending: Lost {#lost outcome: fail}
Gone.
""")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "quizzes/demo/simulation.md: branching scenario 'outage': 3 paths, score 0-10",
        "quizzes/demo/simulation.md: branching scenario 'outage': ending 'won', outcome pass, reached with 10 of 10 "
        "points (pass needs 7)",
        "quizzes/demo/simulation.md: branching scenario 'outage': ending 'lost', outcome fail, reached with 0 of 10 "
        "points (pass needs 7)",
        "1 course, 3 modules, 4 quizzes, 0 problems",
    ]


def test_sync_publishes_then_reports_no_changes(runner, course_tree, db):
    course_tree.standard()
    first = runner.invoke(args=["content", "sync"])
    assert (first.exit_code, first.output) == (0, f"demo: published version 1\n{SUMMARY}\n")
    second = runner.invoke(args=["content", "sync"])
    assert (second.exit_code, second.output) == (0, f"{SUMMARY}: no changes\n")
    assert versions(db) == 1


def test_an_invalid_tree_changes_nothing(runner, course_tree, db):
    course_tree.standard()
    runner.invoke(args=["content", "sync"])
    audits = db.scalar(select(func.count()).select_from(AuditEvent))
    course_tree.edit("courses/demo/02-roles.md", "one by one", "one by one, see ![](assets/diagram.svg)")
    course_tree.edit("courses/demo/03-wrap-up.md", "That is all.", "That is all, almost.")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1
    assert "courses/demo/02-roles.md:6: image 'assets/diagram.svg' has no alt text" in result.output
    assert "Nothing was changed" in result.output
    assert versions(db) == 1
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == audits


def test_sync_reports_a_withdrawn_course(runner, course_tree):
    course_tree.standard()
    course_tree.write("courses/extra/course.md", "---\ntitle: Extra\nsummary: S.\n---\n")
    course_tree.write("courses/extra/01-only.md", "---\ntitle: Only\n---\nText.\n")
    runner.invoke(args=["content", "sync"])
    course_tree.remove("courses/extra/course.md").remove("courses/extra/01-only.md")
    course_tree.path("courses/extra").rmdir()
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0
    assert "extra: withdrawn (its folder is gone; learners' history is kept)" in result.output


def test_sync_explains_a_database_that_is_not_ready(app_config, course_tree, tmp_path):
    course_tree.standard()
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'not-migrated.sqlite3'}"})
    try:
        result = app.test_cli_runner().invoke(args=["content", "sync"])
    finally:
        app.extensions["academy.engine"].dispose()
    assert result.exit_code == 1
    assert "error: nothing was changed, the database refused the content" in result.output
    assert "flask db upgrade" in result.output


GUESSABLE = """\
---
title: Guessable
module: 02-roles
---
""" + "".join(f"""\
## Who leads incident number {n}? {{#q{n}}}
- [ ] The manager on duty, who may ask for help and log every decision
- [x] The manager on duty, who logs every decision
- [ ] Nobody
- [ ] Always the vendor

""" for n in range(5))


def test_check_prints_item_quality_warnings_and_strict_turns_them_into_errors(runner, course_tree):
    course_tree.standard()
    course_tree.write("quizzes/demo/guessable.md", GUESSABLE)
    relaxed = runner.invoke(args=["content", "check"])
    assert relaxed.exit_code == 0, relaxed.output
    assert "quizzes/demo/guessable.md:5: warning: 'second-longest option' finds the key in 100% of the 5 " \
           "single-answer questions (chance 25%, allowed 50%)" in relaxed.output
    assert relaxed.output.splitlines()[-1].startswith("1 course, 3 modules, 4 quizzes, 0 problems, ")
    strict = runner.invoke(args=["content", "check", "--strict"])
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1].endswith("(item-quality warnings, --strict)")


def test_audit_prints_the_strategy_table_and_fails_when_a_strategy_passes(runner, course_tree):
    course_tree.standard()
    course_tree.write("quizzes/demo/guessable.md", GUESSABLE)
    result = runner.invoke(args=["content", "audit"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    start = lines.index("quizzes/demo/guessable.md: Guessable (quiz, pass mark 70%)")
    assert lines[start + 1] == "  5 single-answer questions, chance 25.0%"
    assert "  second-longest option                          100.0%     +75.0  PASSES" in lines
    assert lines[-1].startswith("Strategies or simulation walks that pass a quiz without subject knowledge: ")



def test_a_tag_shaped_like_a_module_must_name_one(runner, course_tree):
    course_tree.standard()
    course_tree.write("quizzes/demo/tagged.md", "---\ntitle: Tagged\nmodule: 02-roles\n---\n"
                      "## Who leads? {#who tags: 02-role, shared-pool}\n- [x] The manager\n- [ ] Nobody\n")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "quizzes/demo/tagged.md:5: tag '02-role' looks like a module but courses/demo/ has no 02-role.md; " \
           "did you mean '02-roles'?" in result.output
