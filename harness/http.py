"""A tiny HTTP client for talking to a live server without a browser.

It keeps cookies, never follows redirects (a 302 is an acknowledgement worth seeing), sends forms
with the page's real CSRF token, opens one connection per request (so a killed worker costs one
request, not the client), and can choose its source address: every 127.0.0.0/8 address reaches
a server bound to 127.0.0.1, which lets a test look like many visitors to the per-IP rate limits.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    text: str
    elapsed: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def location(self) -> str | None:
        return self.header("Location")


class HttpClient:
    """A cookie-keeping client for ``base_url`` (``http://host:port``)."""

    def __init__(self, base_url: str, *, source_ip: str | None = None, timeout: float = 15):
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.source_ip = source_ip
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict | None = None, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float | None = None) -> Response:
        """Send one request on a fresh connection; raises OSError/TimeoutError if none comes back.

        ``form`` is sent urlencoded; ``body`` is sent as it is (set its Content-Type in ``headers``).
        """
        if form is not None:
            body = urlencode(form, doseq=True).encode()  # a list value is a multi-select
        sent = {"Connection": "close", "User-Agent": "academy-tests"}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        source = (self.source_ip, 0) if self.source_ip else None
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout or self.timeout,
                                          source_address=source)
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        finally:
            conn.close()
        elapsed = time.monotonic() - started
        for value in raw.headers.get_all("Set-Cookie") or []:
            self._remember(value)
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, text, elapsed)

    def _remember(self, set_cookie: str) -> None:
        cookie = SimpleCookie()
        cookie.load(set_cookie)
        for name, morsel in cookie.items():
            if morsel.value == "" or morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict, **kwargs) -> Response:
        return self.request("POST", path, form=form, **kwargs)

    def csrf_token(self, page: str) -> str:
        response = self.get(page)
        match = CSRF_RE.search(response.text)
        assert match, f"no CSRF token on {page} (status {response.status})"
        return match.group(1)

    def submit(self, path: str, form: dict, *, page: str | None = None, **kwargs) -> Response:
        """POST ``form`` to ``path`` with the CSRF token from ``page`` (default: ``path``)."""
        payload = dict(form)
        payload.setdefault("csrf_token", self.csrf_token(page or path))
        return self.post(path, payload, **kwargs)

    def sign_in(self, email: str, password: str) -> Response:
        response = self.submit("/login", {"email": email, "password": password})
        assert response.status == 302, f"sign-in failed with {response.status}: {response.text[:300]}"
        return response
