"""Driving a real MIM Academy from outside, for the browser and fault tests and the benchmark.

``live_server``: the real app under gunicorn on a fresh database; ``http``: a tiny cookie-keeping
HTTP client; ``postgres``: a private, throwaway PostgreSQL cluster and scratch databases;
``attempts``: a quiz attempt started over HTTP with its submit form filled in.
It is not part of the product (``academy``) and imports nothing from ``tests``.
"""
