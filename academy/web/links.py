"""Where rendered content links to: the live site's pages, or the author's preview pages.

Both are ``domain.content.LinkTargets`` built from the app's URL map without a request, so the CLI
(``content check|sync``) uses them as the web does, without importing a blueprint.
"""

from __future__ import annotations

from flask import Flask

#: Characters of a file's SHA-256 put in its asset URL (``?v=``): the URL changes whenever the file does.
VERSION_LENGTH = 16


class _Links:
    """Builds the four kinds of link content makes, from endpoint names and their arguments."""

    course_endpoint = module_endpoint = asset_endpoint = ""

    def __init__(self, app: Flask):
        self._urls = app.url_map.bind("localhost", script_name=app.config.get("APPLICATION_ROOT") or "/")

    def _build(self, endpoint: str, **values: str) -> str:
        return self._urls.build(endpoint, values)


class SiteLinks(_Links):
    """Links to the published course pages learners read."""

    def course_url(self, course: str) -> str:
        return self._build("learn.course", course_slug=course)

    def module_url(self, course: str, module: str) -> str:
        return self._build("learn.module", course_slug=course, module_slug=module)

    def asset_url(self, course: str, path: str, sha256: str) -> str:
        return self._build("learn.asset", course_slug=course, asset_path=path, v=sha256[:VERSION_LENGTH])

    def resource_url(self, course: str, resource: str) -> str:
        return self._build("resources.page", course_slug=course, resource_slug=resource)


class PreviewLinks(_Links):
    """Links for draft content while it is previewed: the preview pages, never the live site."""

    def course_url(self, course: str) -> str:
        return self._build("author.preview_course", slug=course)

    def module_url(self, course: str, module: str) -> str:
        return self._build("author.preview_module", slug=course, module=module)

    def asset_url(self, course: str, path: str, sha256: str) -> str:
        return self._build("author.draft_asset", slug=course, name=path, v=sha256[:VERSION_LENGTH])

    def resource_url(self, course: str, resource: str) -> str:
        return self._build("author.preview_resource", slug=course, resource=resource)
