"""Use cases: each takes a DB session and plain values, calls the domain and owns the commit."""
