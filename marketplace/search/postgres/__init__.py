"""The PostgreSQL full-text backend (MARKETPLACE_SEARCH_BACKEND=postgres): search documents in
tables of the application's database, written in the transaction of the rows they describe,
built from the application's own analyzer output (analysis.py), so that both backends find the
same listings for the same words."""

from marketplace.search.postgres.backend import PostgresBackend

__all__ = ["PostgresBackend"]
