"""Test tooling: content trees, quiz fixtures, reporting data, load bursts.

``load``: bursts of concurrent requests, optionally with a worker killed in the middle. The live
server, HTTP client and scratch PostgreSQL the benchmark shares live in the top-level ``harness``.
"""
