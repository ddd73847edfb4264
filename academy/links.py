"""Every link the application builds from its URL map without a request, in one place.

* ``SiteLinks`` and ``PreviewLinks``: the site-relative links inside rendered course content
  (``domain.content.LinkTargets``), to the live pages or to the author's preview pages; the learner
  page templates use them too, so a preview is the learner's page with its links kept inside it.
* ``Links``: absolute links built from ACADEMY_BASE_URL, for places outside the site such as email.

None of them needs a request or imports a blueprint, so the CLI (``content check|sync``) and the mail
sender use them as the web does.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

#: Characters of a file's SHA-256 put in its asset URL (``?v=``): the URL changes whenever the file does.
VERSION_LENGTH = 16


class _Links:
    """Builds the four kinds of link content makes, from endpoint names and their arguments."""

    #: Links remembered per instance: a page's navigation asks for the same few again and again.
    MEMO_SIZE = 4096

    def __init__(self, app: Flask):
        self._urls = app.url_map.bind("localhost", script_name=app.config.get("APPLICATION_ROOT") or "/")
        self._memo: dict[tuple, str] = {}

    def _build(self, endpoint: str, **values: str) -> str:
        key = (endpoint, *values.items())
        url = self._memo.get(key)
        if url is None:
            url = self._urls.build(endpoint, values)
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = url
        return url


class SiteLinks(_Links):
    """Links to the published course pages learners read."""

    def course_url(self, course: str) -> str:
        return self._build("learn.course", course_slug=course)

    def module_url(self, course: str, module: str) -> str:
        return self._build("learn.module", course_slug=course, module_slug=module)

    def asset_url(self, course: str, path: str, sha256: str) -> str:
        return self._build("learn.asset", course_slug=course, asset_path=path, v=sha256[:VERSION_LENGTH])

    def quiz_url(self, course: str, quiz: str) -> str:
        return self._build("quiz.start_page", course_slug=course, quiz_slug=quiz)

    def resource_url(self, course: str, resource: str) -> str:
        return self._build("resources.page", course_slug=course, resource_slug=resource)


def site_links(app: Flask) -> SiteLinks:
    """The app's one ``SiteLinks`` (its links remembered across requests: they depend on slugs only)."""
    links = app.extensions.get("academy.site_links")
    if links is None:
        links = app.extensions["academy.site_links"] = SiteLinks(app)
    return links


class PreviewLinks(_Links):
    """Links for draft content while it is previewed: the preview pages, never the live site."""

    def course_url(self, course: str) -> str:
        return self._build("author.preview_course", slug=course)

    def module_url(self, course: str, module: str) -> str:
        return self._build("author.preview_module", slug=course, module=module)

    def asset_url(self, course: str, path: str, sha256: str) -> str:
        return self._build("author.draft_asset", slug=course, name=path, v=sha256[:VERSION_LENGTH])

    def quiz_url(self, course: str, quiz: str) -> str:
        return self._build("author.preview_quiz", slug=course, quiz=quiz)

    def resource_url(self, course: str, resource: str) -> str:
        return self._build("author.preview_resource", slug=course, resource=resource)



class Links:
    """``links.url("certificates.verify", code=...)`` -> ``https://academy.example/verify/...``."""

    def __init__(self, app: Flask):
        self.base = app.config["BASE_URL"].rstrip("/")
        parts = urlsplit(self.base)
        self._adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)

    def url(self, endpoint: str, **values) -> str:
        """The absolute URL of ``endpoint`` with ``values``."""
        return self._adapter.build(endpoint, values, force_external=True)

    def home(self) -> str:
        return self.url("main.home")

    def dashboard(self) -> str:
        return self.url("main.dashboard")

    def sign_in(self) -> str:
        return self.url("auth.login")

    def verify(self, code: str) -> str:
        return self.url("certificates.verify", code=code)

    def certificate(self, code: str) -> str:
        return self.url("certificates.show", code=code)


def remembered_url_for(app: Flask):
    """``url_for`` for templates, remembering what it built: a page asks for the same stylesheet,
    script and navigation URLs on every request, and each build walks the URL map.

    Only site-relative URLs are remembered (any ``_external``, ``_anchor`` or other underscore
    option goes straight to Flask), keyed by everything the result depends on here: the script
    root, the endpoint (with the blueprint for a relative one) and the values.
    """
    from flask import has_request_context, request, url_for

    memo: dict[tuple, str] = {}

    def build(endpoint: str, **values) -> str:
        if not has_request_context() or any(name.startswith("_") for name in values):
            return url_for(endpoint, **values)
        try:
            key = (request.script_root, request.blueprint if endpoint.startswith(".") else None, endpoint,
                   *sorted(values.items()))
            url = memo.get(key)
        except TypeError:  # an unhashable value: build it each time
            return url_for(endpoint, **values)
        if url is None:
            url = url_for(endpoint, **values)
            if len(memo) >= _Links.MEMO_SIZE:
                memo.clear()
            memo[key] = url
        return url

    return build
