"""Learning records as xAPI 1.0.3 statements, built from plain facts.

Verbs come from two documented vocabularies: the ADL verbs of the xAPI specification
(``http://adlnet.gov/expapi/verbs/``: experienced, completed, answered, passed, failed) and, for a
certificate, ``http://id.tincanapi.com/verb/earned`` from the xAPI Registry ("the actor has earned
or has been awarded the object"), which ADL's list lacks. Activity types are the ADL ones
(course, module, assessment, cmi.interaction) and the Registry's certificate type.

Activity ids are IRIs under the site's base URL, and each is the page the activity lives at where
there is one. Statement ids are UUIDs derived (version 5) from the site and the source row, so
exporting the same records twice gives the same ids and an LRS stores each statement once.
Learners are identified by name and ``mbox_sha1sum``: their address never leaves the site in clear.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import quote

VERSION = "1.0.3"
LANGUAGE = "en"
PLATFORM = "MIM Academy"


@dataclass(frozen=True)
class Verb:
    id: str
    display: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "display": {LANGUAGE: self.display}}


_ADL = "http://adlnet.gov/expapi/verbs/"
EXPERIENCED = Verb(_ADL + "experienced", "experienced")
COMPLETED = Verb(_ADL + "completed", "completed")
ANSWERED = Verb(_ADL + "answered", "answered")
PASSED = Verb(_ADL + "passed", "passed")
FAILED = Verb(_ADL + "failed", "failed")
EARNED = Verb("http://id.tincanapi.com/verb/earned", "earned")

_ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
COURSE_TYPE = _ADL_ACTIVITIES + "course"
MODULE_TYPE = _ADL_ACTIVITIES + "module"
ASSESSMENT_TYPE = _ADL_ACTIVITIES + "assessment"
QUESTION_TYPE = _ADL_ACTIVITIES + "cmi.interaction"
CERTIFICATE_TYPE = "http://id.tincanapi.com/activitytype/certificate"


# --- the site, its people and its activities ---------------------------------------------------

@dataclass(frozen=True)
class Site:
    """Where activity IRIs and statement ids are rooted."""

    base_url: str

    def iri(self, *segments: str) -> str:
        """``base_url`` followed by the percent-encoded ``segments``."""
        return self.base_url.rstrip("/") + "".join("/" + quote(s, safe="") for s in segments)

    @cached_property
    def namespace(self) -> uuid.UUID:
        """The UUID namespace of this site's statements."""
        return uuid.uuid5(uuid.NAMESPACE_URL, self.iri("xapi"))

    def course(self, slug: str, title: str) -> Activity:
        return Activity(self.iri("courses", slug), title, COURSE_TYPE)

    def module(self, course_slug: str, slug: str, title: str) -> Activity:
        return Activity(self.iri("courses", course_slug, slug), title, MODULE_TYPE)

    def quiz(self, course_slug: str, slug: str, title: str) -> Activity:
        return Activity(self.iri("courses", course_slug, "quizzes", slug), title, ASSESSMENT_TYPE)

    def question(self, course_slug: str, quiz_slug: str, key: str, prompt: str, *,
                 correct: tuple[str, ...] | None, branching: bool = False) -> Activity:
        """A question (``choice`` interaction) or a branching scenario (``sequencing``: the path taken)."""
        interaction = Interaction("sequencing" if branching else "choice",
                                  None if branching or correct is None else "[,]".join(correct))
        return Activity(self.iri("courses", course_slug, "quizzes", quiz_slug, "questions", key), prompt,
                        QUESTION_TYPE, interaction)

    def certificate(self, code: str, title: str) -> Activity:
        return Activity(self.iri("verify", code), title, CERTIFICATE_TYPE)


@dataclass(frozen=True)
class Actor:
    name: str
    email: str

    def to_json(self) -> dict[str, Any]:
        digest = hashlib.sha1(f"mailto:{self.email}".encode(), usedforsecurity=False).hexdigest()
        return {"objectType": "Agent", "name": self.name, "mbox_sha1sum": digest}


@dataclass(frozen=True)
class Interaction:
    type: str
    #: The correct response in xAPI's notation ("a[,]c"), when there is one.
    correct_pattern: str | None = None


@dataclass(frozen=True)
class Activity:
    iri: str
    name: str
    type: str
    interaction: Interaction | None = None

    def to_json(self) -> dict[str, Any]:
        definition: dict[str, Any] = {"name": {LANGUAGE: self.name}, "type": self.type}
        if self.interaction:
            definition["interactionType"] = self.interaction.type
            if self.interaction.correct_pattern is not None:
                definition["correctResponsesPattern"] = [self.interaction.correct_pattern]
        return {"objectType": "Activity", "id": self.iri, "definition": definition}

    def reference(self) -> dict[str, Any]:
        """The activity as context: id and type only."""
        return {"objectType": "Activity", "id": self.iri, "definition": {"type": self.type}}


# --- what happened -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModuleViewed:
    source_id: int
    actor: Actor
    course: Activity
    module: Activity
    at: datetime


@dataclass(frozen=True)
class ModuleCompleted:
    source_id: int
    actor: Actor
    course: Activity
    module: Activity
    at: datetime
    seconds_spent: int


@dataclass(frozen=True)
class QuizFinished:
    source_id: int
    actor: Actor
    course: Activity
    quiz: Activity
    started_at: datetime
    finished_at: datetime
    score_percent: int
    points: int
    max_points: int
    passed: bool


@dataclass(frozen=True)
class QuestionAnswered:
    source_id: int
    actor: Actor
    course: Activity
    quiz: Activity
    question: Activity
    #: Option keys chosen (a branching scenario: the choices along the path, in order).
    response: tuple[str, ...]
    correct: bool | None
    at: datetime


@dataclass(frozen=True)
class CertificateEarned:
    source_id: int
    actor: Actor
    course: Activity
    certificate: Activity
    at: datetime
    score_percent: int | None


Event = ModuleViewed | ModuleCompleted | QuizFinished | QuestionAnswered | CertificateEarned


# --- statements -------------------------------------------------------------------------------

def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, e.g. ``2026-11-27T09:42:00.000Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def duration(seconds: float) -> str:
    """An ISO 8601 duration, e.g. ``PT1H2M3S``; never negative."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if secs or not parts:
        parts += f"{secs}S"
    return "PT" + parts


def _scaled(percent: int) -> float:
    """A percentage as xAPI's scaled score, which must lie in [-1, 1]."""
    return max(-1.0, min(1.0, round(percent / 100, 4)))


def statement_id(site: Site, event: Event) -> str:
    """Stable for the same source row: re-exports do not duplicate statements in an LRS."""
    return str(uuid.uuid5(site.namespace, f"{type(event).__name__}:{event.source_id}"))


def statement(site: Site, event: Event) -> dict[str, Any]:
    """The xAPI statement for ``event``."""
    verb, obj, result, parent, at = _parts(event)
    body: dict[str, Any] = {
        "id": statement_id(site, event),
        "actor": event.actor.to_json(),
        "verb": verb.to_json(),
        "object": obj.to_json(),
    }
    if result:
        body["result"] = result
    body["context"] = {
        "platform": PLATFORM,
        "language": LANGUAGE,
        "contextActivities": {"parent": [parent.reference()], "grouping": [event.course.reference()]},
    }
    body["timestamp"] = timestamp(at)
    body["version"] = VERSION
    return body


def _parts(event: Event) -> tuple[Verb, Activity, dict[str, Any] | None, Activity, datetime]:
    match event:
        case ModuleViewed():
            return EXPERIENCED, event.module, None, event.course, event.at
        case ModuleCompleted():
            result = {"completion": True, "duration": duration(event.seconds_spent)}
            return COMPLETED, event.module, result, event.course, event.at
        case QuizFinished():
            score: dict[str, Any] = {"scaled": _scaled(event.score_percent)}
            if event.max_points > 0:
                # A branching path can lose points: the range must still hold the raw score.
                score.update(raw=event.points, min=min(0, event.points), max=max(event.max_points, event.points))
            result = {"score": score, "success": event.passed, "completion": True,
                      "duration": duration((event.finished_at - event.started_at).total_seconds())}
            return (PASSED if event.passed else FAILED), event.quiz, result, event.course, event.finished_at
        case QuestionAnswered():
            result = {"response": "[,]".join(event.response)}
            if event.correct is not None:
                result["success"] = event.correct
            return ANSWERED, event.question, result, event.quiz, event.at
        case CertificateEarned():
            result = {"success": True, "completion": True}
            if event.score_percent is not None:
                result["score"] = {"scaled": _scaled(event.score_percent)}
            return EARNED, event.certificate, result, event.course, event.at
    raise TypeError(f"not an xAPI event: {event!r}")
