"""Markdown conversion in helper processes with a time budget.

The limits in :mod:`academy.domain.rendering` refuse the inputs known to cost; this is the backstop
for the ones nobody has found yet. :func:`convert` sends the text to an idle helper process and
waits at most ``timeout`` seconds; a helper that overruns is killed (the request gets a clear
refusal, the web worker lives on) and a fresh one starts on the next call. Helpers are started with
``spawn`` (no copy of the worker's database connections or threads) and kept between calls, so a
conversion costs one pipe round trip (about a millisecond) on top of the conversion itself.
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

from academy.domain import rendering

_CONTEXT = multiprocessing.get_context("spawn")
#: Seconds a new helper may take to import Python-Markdown before it counts as broken.
_START_TIMEOUT = 60.0


def _serve(conn) -> None:
    """The helper's loop: convert each text received, answer ``(ok, payload)``."""
    conn.send("ready")
    while True:
        try:
            text = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        try:
            conn.send((True, rendering.convert(text)))
        except rendering.RenderRefused as exc:
            conn.send((False, (exc.line, exc.message)))
        except Exception as exc:  # noqa: BLE001  (reported to the parent as a refusal)
            conn.send((False, (1, f"this text could not be rendered ({type(exc).__name__})")))


class _Helper:
    def __init__(self) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child,), daemon=True, name="markdown-helper")
        self.process.start()
        child.close()
        if not self.conn.poll(_START_TIMEOUT) or self.conn.recv() != "ready":
            self.kill()
            raise RuntimeError("the Markdown helper process did not start")

    def convert(self, text: str, timeout: float) -> tuple[str, list[dict[str, Any]]]:
        self.conn.send(text)
        if not self.conn.poll(timeout):
            self.kill()
            raise rendering.RenderRefused(1, f"this text took more than {timeout:g} seconds to render: "
                                             "simplify it or split it into several modules")
        ok, payload = self.conn.recv()
        if not ok:
            raise rendering.RenderRefused(*payload)
        return payload

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Sandbox:
    """Up to ``size`` helpers; a call takes an idle one (or starts one) and gives it back after."""

    def __init__(self, timeout: float, size: int = 2):
        self.timeout = timeout
        self._idle: list[_Helper] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)

    def __call__(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        with self._slots:
            with self._lock:
                helper = self._idle.pop() if self._idle else None
            if helper is None or not helper.alive():
                helper = _Helper()
            try:
                result = helper.convert(text, self.timeout)
            except rendering.RenderRefused:
                if helper.alive():
                    self._give_back(helper)
                raise
            except (EOFError, OSError) as exc:
                helper.kill()
                raise rendering.RenderRefused(1, "this text could not be rendered (the renderer stopped)") from exc
            self._give_back(helper)
            return result

    def _give_back(self, helper: _Helper) -> None:
        with self._lock:
            self._idle.append(helper)


_installed: Sandbox | None = None


def install(timeout: float, size: int = 2) -> None:
    """Route every Markdown conversion in this process through helpers with ``timeout`` (0: none)."""
    global _installed
    if timeout <= 0:
        rendering.use_converter(None)
        _installed = None
        return
    if _installed is None or _installed.timeout != timeout:
        _installed = Sandbox(timeout, size)
    rendering.use_converter(_installed)
