"""Backup and restore of the embedded default (SQLite and the upload folder)."""
