"""Pure domain code: no Flask, no SQLAlchemy. Shared by the CLI, the web and the API."""
