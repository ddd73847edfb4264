"""Test tooling shared by the browser tests, the fault tests and the benchmark.

``live_server``: the real app under gunicorn on a fresh database; ``http``: a tiny cookie-keeping
HTTP client; ``postgres``: a private, throwaway PostgreSQL cluster and scratch databases;
``load``: bursts of concurrent requests, optionally with a worker killed in the middle.
"""
