"""A quiz attempt started over HTTP by a signed-in client, its submit form filled in and ready to post."""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.http import CSRF_RE, HttpClient, Response

_ANSWER_INPUT = re.compile(r'name="q-([^"]+)" value="([^"]*)"')
_SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')


@dataclass
class StartedAttempt:
    """An attempt a signed-in client has started, with its submit form filled in and ready to post."""

    client: HttpClient
    token: str
    path: str
    form: dict[str, list[str] | str]

    def send(self) -> Response:
        return self.client.post(self.path, self.form)


def start_attempt(client: HttpClient, course: str, quiz: str, *,
                  answers: dict[str, list[str]] | None = None) -> StartedAttempt:
    """Start (or resume) ``quiz`` as the signed-in ``client`` and fill in its submit form.

    Each drawn question gets the options in ``answers`` or, for a key not there, its first option,
    so the form is complete whatever the draw.
    """
    answers = answers or {}
    started = client.submit(f"/courses/{course}/quizzes/{quiz}/start", {}, page=f"/courses/{course}/quizzes/{quiz}")
    assert started.status == 302 and "/attempts/" in (started.location or ""), (started.status, started.text[:300])
    token = re.search(r"/attempts/([^/?]+)", started.location).group(1)  # a simulation opens on its step
    page = client.get(f"/attempts/{token}")
    assert page.status == 200, (page.status, page.text[:300])
    options: dict[str, list[str]] = {}
    for key, value in _ANSWER_INPUT.findall(page.text):
        options.setdefault(key, [])
        if value:
            options[key].append(value)
    csrf, submission_key = CSRF_RE.search(page.text), _SUBMISSION_KEY.search(page.text)
    assert csrf and submission_key and options, f"no submit form on /attempts/{token}"
    form: dict[str, list[str] | str] = {"csrf_token": csrf.group(1), "submission_key": submission_key.group(1)}
    for key, offered in options.items():
        form[f"q-{key}"] = answers.get(key, offered[:1])
    return StartedAttempt(client, token, f"/attempts/{token}/submit", form)
