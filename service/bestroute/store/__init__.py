"""Persistence: the SQL database (SQLite by default, PostgreSQL by URL), usage log and API keys."""
