"""The honest yardstick (gunicorn ``bench.bare:app``): a separate, minimal Flask app.

One route, ``/<n>``, answers a constant HTML body of ``n`` bytes (built once per size), with no
request hooks, session, CSRF, template or database: what Flask and gunicorn cost on this machine
with nothing of the product in the way. ``make bench`` serves it with the same gunicorn settings
as the product, in the same rounds, and divides every page's throughput by its throughput at the
size of the measured module page. ``/healthz`` lets the harness see it is up.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response

app = Flask(__name__)

_PARAGRAPH = ("<p>A major incident is declared, the bridge opens and the Major Incident Manager takes "
              "the lead: who owns the fix, who talks to the business, when the next update is due.</p>\n")


@lru_cache(maxsize=16)
def body(size: int) -> bytes:
    """An HTML page of exactly ``size`` bytes (at least the head and tail)."""
    head = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bare</title></head><body>\n"
    tail = "</body></html>\n"
    filler = max(0, size - len(head) - len(tail))
    text = (_PARAGRAPH * (filler // len(_PARAGRAPH) + 1))[:filler]
    return (head + text + tail).encode()


@app.route("/<int:size>")
def constant(size: int) -> Response:
    return Response(body(min(size, 2_000_000)), mimetype="text/html")


@app.route("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")
