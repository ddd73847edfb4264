"""Absolute links to the site, built from ACADEMY_BASE_URL: for email, where no request exists.

``Links(app)`` binds the app's URL map to the configured base URL, so a link in an email is the same
route a browser reaches, with no request context, from a CLI command or a mail sender alike.
(``academy.web.links`` builds the site-relative links inside rendered course content; these are
absolute, for places outside the site such as email.)
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask


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
