"""Course resources (job aids) for learners: the page, the PDF and, for fillable ones, the workbook."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.domain import resources
from academy.models import Course, CourseVersion, ResourceVersion

from .errors import NotFound

NO_SUCH_RESOURCE = "This course has no resource at this address. Pick one from the course page."
NO_WORKBOOK = "This resource has no table to fill in, so there is no spreadsheet of it: use the page or the PDF."


@dataclass(frozen=True)
class Resource(resources.ResourceContent):
    """A published resource, with the course it belongs to."""

    course_slug: str = ""
    course_title: str = ""


def resource(session: Session, course_slug: str, slug: str) -> Resource:
    """A resource of the course's current version; NotFound when there is none."""
    found = session.execute(
        select(ResourceVersion, CourseVersion.title)
        .join(Course, Course.current_version_id == ResourceVersion.course_version_id)
        .join(CourseVersion, CourseVersion.id == ResourceVersion.course_version_id)
        .where(Course.slug == course_slug, ResourceVersion.slug == slug)).first()
    if found is None:
        raise NotFound(NO_SUCH_RESOURCE)
    row, course_title = found
    return Resource(slug=row.slug, file_name=f"{row.slug}.md", title=row.title, summary=row.summary, kind=row.kind,
                    html=row.html, tables=tuple(tuple(tuple(str(cell) for cell in r) for r in table)
                                                for table in row.tables),
                    course_slug=course_slug, course_title=course_title)


def pdf(session: Session, course_slug: str, slug: str) -> tuple[Resource, bytes]:
    """The resource and its PDF."""
    found = resource(session, course_slug, slug)
    return found, resources.pdf(found.title, found.summary, found.html, found.course_title)


def workbook(session: Session, course_slug: str, slug: str) -> tuple[Resource, bytes]:
    """The resource and its XLSX workbook; NotFound for a resource with nothing to fill in."""
    found = resource(session, course_slug, slug)
    if not found.has_workbook:
        raise NotFound(NO_WORKBOOK)
    return found, resources.workbook(found.title, found.tables)
