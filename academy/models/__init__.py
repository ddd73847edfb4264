"""Typed SQLAlchemy 2 models, one module per area; importing this registers them all."""

from .accounts import AuditEvent, LoginSession, OneTimeToken, Organisation, Role, SignUp, User
from .analytics import OptionCount, QuestionSums, QuizResultBucket, QuizResultDay, StepChoiceCount, VersionTotals
from .api_tokens import ApiToken
from .authoring import CourseEditor, Draft, PublishedFile, Source, VersionOrigin
from .base import Base, utcnow
from .certificates import Certificate, Origin
from .content import (
    Asset,
    Course,
    CourseVersion,
    Enrolment,
    Module,
    ModuleProgress,
    ModuleVersion,
    Quiz,
    QuizVersion,
)
from .mail import MailPreference, MailStatus, OutboxMessage
from .organisations import CourseAssignment, Invitation, OrganisationManager
from .quizzes import Attempt, AttemptAnswer, AttemptStatus, BranchingChoice
from .resources import ResourceVersion, WorksheetAnswer, WorksheetVersion

__all__ = ["ApiToken", "Asset", "Attempt", "AttemptAnswer", "AttemptStatus", "AuditEvent", "Base", "BranchingChoice",
           "Certificate", "Course", "CourseAssignment", "CourseEditor", "CourseVersion", "Draft", "Enrolment",
           "Invitation", "LoginSession", "MailPreference", "MailStatus", "Module", "ModuleProgress", "ModuleVersion",
           "OneTimeToken", "OptionCount", "Organisation", "OrganisationManager", "Origin", "OutboxMessage",
           "PublishedFile", "QuestionSums", "Quiz", "QuizResultBucket", "QuizResultDay", "QuizVersion",
           "ResourceVersion", "Role", "SignUp", "Source", "StepChoiceCount", "User", "VersionOrigin", "VersionTotals",
           "WorksheetAnswer", "WorksheetVersion", "utcnow"]
