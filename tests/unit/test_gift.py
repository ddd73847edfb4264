"""Moodle GIFT import: what maps to the quiz format, what is reported, and that nothing crashes it."""

from __future__ import annotations

import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academy.domain.gift import add_to_quiz, import_gift
from academy.domain.quiz_format import QuizDef, parse_quiz

FRONT = "---\ntitle: Imported\nfinal: true\n---\n"


def quiz_of(markdown: str) -> QuizDef:
    """Parse imported Markdown as a quiz body; the import must always give a valid quiz."""
    quiz, problems = parse_quiz(FRONT + markdown, "quizzes/c/imported.md")
    assert problems == [], "\n".join(map(str, problems)) + "\n\n" + markdown
    return quiz


def gift(text: str):
    return import_gift(textwrap.dedent(text))


def test_multiple_choice_keeps_title_feedback_and_general_feedback():
    result = gift("""\
        ::Priority::Priority combines impact with what? {
          =urgency#Right: how fast harm grows.
          ~severity#Severity is impact again.
          ~cost
          ####Priority = impact x urgency.
        }
        """)
    assert result.imported == 1 and result.skipped == () and result.notes == ()
    assert "## Priority combines impact with what? {#priority}" in result.markdown
    question = quiz_of(result.markdown).question("priority")
    assert [(o.correct, o.feedback_html) for o in question.options] == [
        (True, "<p>Right: how fast harm grows.</p>"), (False, "<p>Severity is impact again.</p>"), (False, "")]
    assert question.explanation_html == "<p>Priority = impact x urgency.</p>"


def test_true_false_gives_the_first_feedback_to_a_wrong_answer_and_the_second_to_a_right_one():
    result = gift("::Bridge:: A major incident always needs a bridge call. {FALSE#It depends.#Right: it depends.}\n")
    question = quiz_of(result.markdown).question("bridge")
    assert [(o.text_html, o.correct, o.feedback_html) for o in question.options] == [
        ("True", False, "<p>It depends.</p>"), ("False", True, "<p>Right: it depends.</p>")]


def test_short_true_false_forms_are_understood():
    result = gift("Swarming brings many experts together. {T}\n\nEscalation is always hierarchical. {f}\n")
    quiz = quiz_of(result.markdown)
    assert [[o.correct for o in q.options] for q in quiz.questions()] == [[True, False], [False, True]]


def test_weighted_answers_become_a_multiple_answer_question_with_a_note():
    result = gift("Which are phases? {~%50%The first 15 minutes ~%50%Resolution ~%-100%Procurement}\n")
    question = quiz_of(result.markdown).questions()[0]
    assert question.multiple and [o.correct for o in question.options] == [True, True, False]
    assert [n.line for n in result.notes] == [1]
    assert "all or nothing" in result.notes[0].message


def test_partial_credit_beside_a_right_answer_is_dropped_with_a_note():
    result = gift("Who leads? {=The MIM ~%50%The service desk ~Nobody}\n")
    assert [o.correct for o in quiz_of(result.markdown).questions()[0].options] == [True, False, False]
    assert "partial credit" in result.notes[0].message


def test_missing_word_multiple_choice_shows_a_blank_in_the_prompt():
    result = gift("The {~cheapest =fastest ~nearest} resolver restores service.\n")
    question = quiz_of(result.markdown).questions()[0]
    assert question.prompt_html == "The _____ resolver restores service."
    assert [o.correct for o in question.options] == [False, True, False]


def test_a_question_wrapped_over_several_lines_keeps_its_prompt_whole():
    """Moodle's own examples.txt, "Thanksgiving Date": the prompt was cut at the first line break."""
    result = gift("""\
        ::Thanksgiving Date::The American holiday of Thanksgiving is
        celebrated on the {
        ~second
        ~third
        =fourth
        } Thursday of November.
        """)
    question = quiz_of(result.markdown).questions()[0]
    assert question.prompt_html == ("The American holiday of Thanksgiving is celebrated on the _____ Thursday "
                                    "of November.")
    assert question.body_html == ""


def test_a_list_under_the_prompt_stays_the_body_of_the_question():
    result = gift("[markdown]Which model fits\nthis bank?\n- it runs its own desk\n"
                  "- suppliers fix {=Mirrored ~Outsourced}\n")
    question = quiz_of(result.markdown).questions()[0]
    assert question.prompt_html == "Which model fits this bank?"
    assert "<li>it runs its own desk</li>" in question.body_html


def test_unsupported_questions_are_reported_with_their_lines_and_the_rest_is_imported():
    result = gift("""\
        // Comments are ignored.
        ::Num:: 2 + 2 {#4}

        ::Match:: Pair them {=Dedicated -> one customer =Shared -> many}

        ::Short:: Who restores service? {=The resolver =Resolvers}

        ::Essay:: Describe your last outage. {}

        ::Note:: A description with no answers.

        ::Either:: Any of these? {=a =b ~c}

        ::Fine:: Which is right? {=this ~that}
        """)
    assert [(s.line, s.title) for s in result.skipped] == [
        (2, "Num"), (4, "Match"), (6, "Short"), (8, "Essay"), (10, "Note"), (12, "Either")]
    reasons = [s.reason.split(" ", 1)[0] for s in result.skipped]
    assert reasons == ["numerical", "matching", "short-answer", "essay", "no", "several"]
    assert result.imported == 1 and quiz_of(result.markdown).question("fine")


def test_broken_questions_are_reported_not_guessed():
    result = gift("""\
        ::Open:: The answers never close {=a ~b

        ::Untitled Which? {=a ~b}

        Weights must be numbers {~%half%a ~%50%b}

        Needs two {=only}

        No right answer {~a ~b}
        """)
    assert [s.line for s in result.skipped] == [1, 3, 5, 7, 9]
    assert result.imported == 0 and result.markdown == ""


def test_escapes_and_formats():
    result = gift(r"""
        [markdown]Is **C\#** written \{like this\} \= fine? {=yes \~ really ~no}

        [plain]Is *this* <b>literal</b>? {=yes ~no}

        [html]<p>Is <b>this</b> bold?</p> {=<i>yes</i> ~no}
        """)
    quiz = quiz_of(result.markdown)
    prompts = [q.prompt_html for q in quiz.questions()]
    assert prompts[0] == "Is <strong>C#</strong> written {like this} = fine?"
    assert prompts[1] == "Is *this* &lt;b&gt;literal&lt;/b&gt;?"
    assert prompts[2] == "Is this bold?"
    assert quiz.questions()[0].options[0].text_html == "yes ~ really"
    assert [n.message for n in result.notes] == ["HTML formatting became plain text"]


def test_categories_become_sections_and_never_scenarios():
    result = gift("""\
        $CATEGORY: $course$/top/Roles

        Who chairs the bridge? {=The MIM ~The CIO}

        $CATEGORY: Scenario: tricky
        Who talks to customers? {=Communications lead ~Scribe}
        """)
    assert "# Roles\n" in result.markdown and "# Category: Scenario: tricky\n" in result.markdown
    assert [s.line for s in result.skipped] == [] and len(quiz_of(result.markdown).units) == 2


def test_keys_never_clash_with_the_quiz_or_each_other():
    result = import_gift("::Q1:: One? {=a ~b}\n\n::Q1:: Two? {=a ~b}\n\nThree? {=a ~b}\n\nThree? {=a ~b}\n",
                         taken_keys=frozenset({"q1"}))
    quiz = quiz_of(result.markdown)
    assert [q.key for q in quiz.questions()] == ["q1-2", "q1-3", "three", "question"]


def test_windows_line_endings_and_a_byte_order_mark():
    result = import_gift("\ufeff::A:: Yes? {\r\n=yes\r\n~no\r\n}\r\n")
    assert quiz_of(result.markdown).question("a").options[0].correct


GIFT_PIECES = [*"{}=~#%:\\->[]TF$/ \n\tab1.*`<&|!_", "$CATEGORY:", "[html]", "[plain]", "//", "::", "####",
               "~%50%", "\n\n", "TRUE", "->", "# x", "- [x] "]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(GIFT_PIECES), max_size=60).map("".join))
def test_any_text_is_imported_or_reported_never_a_crash_or_an_invalid_quiz(text):
    result = import_gift(text)
    if result.imported:
        quiz_of(result.markdown)


#: Text with everything GIFT or the quiz format treats specially, escaped where GIFT needs it.
hostile_text = st.lists(st.sampled_from([*"ab1 .*_`<>&|!()[]", "\\{", "\\}", "\\=", "\\~", "\\#", "\\:",
                                         "\\n", "# ", "- [x] ", "\\{#id\\}", "&#123;", "Scenario: ", "ü"]),
                        min_size=1, max_size=12).map("".join)


@st.composite
def gift_questions(draw):
    title = draw(st.one_of(st.just(""), hostile_text.map(lambda t: f"::{t}::")))
    fmt = draw(st.sampled_from(["", "[markdown]", "[plain]", "[html]", "[moodle]"]))
    marker = st.sampled_from(["=", "~", "~%50%", "~%-100%", "~%100%"])
    feedback = st.one_of(st.just(""), hostile_text.map(lambda t: f"#{t}"))
    answers = draw(st.lists(st.tuples(marker, hostile_text, feedback), min_size=1, max_size=5))
    block = " ".join(f"{m}{t}{f}" for m, t, f in answers)
    general = draw(st.one_of(st.just(""), hostile_text.map(lambda t: f"####{t}")))
    after = draw(st.one_of(st.just(""), hostile_text))
    return f"{title}{fmt}{draw(hostile_text)} {{{block}{general}}}{after}"


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(gift_questions(), min_size=1, max_size=4))
def test_every_question_is_imported_as_valid_markdown_or_reported(questions):
    result = import_gift("\n\n".join(questions))
    assert result.imported + len(result.skipped) == len(questions)
    if result.imported:
        assert len(quiz_of(result.markdown).questions()) == result.imported


@settings(max_examples=100)
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_crashes(text):
    result = import_gift(text)
    assert result.imported + len(result.skipped) >= 0


QUIZ = "---\ntitle: Roles\nmodule: 02-roles\n---\n## Who leads? {#lead}\n- [x] The MIM\n- [ ] The CIO\n"


def test_imported_questions_follow_the_quiz_or_replace_its_questions():
    imported = import_gift("::Scribe:: Who keeps the log? {=The scribe ~Nobody}\n").markdown
    added = add_to_quiz(QUIZ, imported, replace=False)
    assert [q.key for q in parse_quiz(added, "q.md")[0].questions()] == ["lead", "scribe"]
    replaced = add_to_quiz(QUIZ.replace("\n", "\r\n"), imported, replace=True)
    assert replaced.startswith("---\ntitle: Roles\nmodule: 02-roles\n---\n# Imported questions\n")
    assert [q.key for q in parse_quiz(replaced, "q.md")[0].questions()] == ["scribe"]
