"""Data for the reporting tests: the small quiz course published, and demo learners seeded on it."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask.testing import FlaskCliRunner

from academy.db import session_scope
from academy.models import utcnow
from academy.services import demo

from .quizzes import publish


def seed(app: Flask, runner: FlaskCliRunner, content_dir, *, learners: int = 40, seed: int = 5,
         now: datetime | None = None) -> demo.SeedReport:
    """Publish the quiz tests' course and seed ``learners`` demo learners on it (all with answers)."""
    publish(runner, content_dir)
    with session_scope(app) as session:
        return demo.seed(session, learners=learners, seed=seed, now=now or utcnow())
