"""Command-line interface: `flask --app wsgi ...` (contract in shared/api-v1.md)."""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group; each feature's commands live beside it in this package."""
