"""One file holding everything the embedded default keeps: the SQLite database, copied with
SQLite's online backup (consistent while the app serves and writes), then the upload folder, and
a manifest (migration revision, rows per table). The database is copied first: a photo's file is
written before its row commits, so every row in the copy finds its file (the folder may also hold
a newer file nobody refers to yet, which is harmless). The search index is not kept: a restore
rebuilds it from the database.

PostgreSQL installations back up with the database's own tools (docs/deploy.md).
"""

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db

DATABASE_MEMBER = "database.sqlite3"
MANIFEST_MEMBER = "manifest.json"
UPLOADS_MEMBER = "uploads"


@dataclass
class BackupReport:
    path: Path
    tables: dict[str, int]
    files: int


def sqlite_path() -> Path:
    """The database file, or ValidationFailed on another database (use its own tools)."""
    url = sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ValidationFailed(
            {
                "database": [
                    "backup create and restore are for the embedded SQLite database; back up "
                    "PostgreSQL with pg_dump or continuous archiving (docs/deploy.md)."
                ]
            }
        )
    return Path(url.database)


def table_counts(connection) -> dict[str, int]:
    names = sa.inspect(connection).get_table_names()
    return {
        name: connection.execute(
            sa.select(sa.func.count()).select_from(sa.table(name))
        ).scalar_one()
        for name in sorted(names)
    }


def create_backup(target: Path | None = None) -> BackupReport:
    source = sqlite_path()
    uploads = Path(current_app.config["UPLOAD_DIR"])
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = target or Path(current_app.instance_path) / "backups" / f"stoffwechsel-{stamp}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        copy = Path(work) / DATABASE_MEMBER
        with sqlite3.connect(source) as live, sqlite3.connect(copy) as out:
            live.backup(out)  # page by page, consistent with itself while others write
        with sqlite3.connect(copy) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RuntimeError("the copied database failed SQLite's integrity check")
        engine = sa.create_engine(f"sqlite:///{copy}")
        with engine.connect() as connection:
            tables = table_counts(connection)
            revision = None  # a database made without migrations (tests) has none
            if "alembic_version" in tables:
                revision = connection.execute(
                    sa.text("SELECT version_num FROM alembic_version")
                ).scalar()
        engine.dispose()
        manifest = {
            "created_at": datetime.now(UTC).isoformat(),
            "revision": revision,
            "tables": tables,
        }
        (Path(work) / MANIFEST_MEMBER).write_text(json.dumps(manifest, indent=2))
        files = 0
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(work) / MANIFEST_MEMBER, MANIFEST_MEMBER)
            archive.add(copy, DATABASE_MEMBER)
            if uploads.is_dir():
                for path in sorted(uploads.rglob("*")):
                    if path.is_file():
                        archive.add(path, f"{UPLOADS_MEMBER}/{path.relative_to(uploads)}")
                        files += 1
        os.replace(partial, target)  # never a half-written backup under the final name
    return BackupReport(target, tables, files)


def restore_backup(archive_path: Path) -> BackupReport:
    """Replace the database's content and the upload folder by the archive's (the caller then
    rebuilds the search index). Stop the app first: its pages would change under its users."""
    target = sqlite_path()
    uploads = Path(current_app.config["UPLOAD_DIR"])
    with tempfile.TemporaryDirectory(dir=target.parent) as work, tarfile.open(archive_path) as tar:
        members = {m.name: m for m in tar.getmembers()}
        if DATABASE_MEMBER not in members or MANIFEST_MEMBER not in members:
            raise ValidationFailed({"archive": ["This file is not a Stoffwechsel backup."]})
        tar.extractall(work, filter="data")  # no absolute paths, links or devices (PEP 706)
        manifest = json.loads((Path(work) / MANIFEST_MEMBER).read_text())
        db.session.remove()
        db.engine.dispose()
        # Through SQLite's backup API, not by swapping the file: a connection still open on
        # the old file (and its write-ahead log) would write its pages into the new one.
        with sqlite3.connect(Path(work) / DATABASE_MEMBER) as copy, sqlite3.connect(target) as live:
            copy.backup(live)
        restored_uploads = Path(work) / UPLOADS_MEMBER
        aside = uploads.with_name(uploads.name + ".before-restore")
        shutil.rmtree(aside, ignore_errors=True)
        if uploads.exists():
            uploads.rename(aside)
        if restored_uploads.is_dir():
            shutil.move(str(restored_uploads), uploads)
        else:
            uploads.mkdir(parents=True)
        shutil.rmtree(aside, ignore_errors=True)
    files = sum(1 for p in uploads.rglob("*") if p.is_file())
    with db.engine.connect() as connection:
        tables = table_counts(connection)
    if tables != manifest["tables"]:
        raise RuntimeError(f"restored rows differ from the manifest: {tables} != {manifest}")
    return BackupReport(archive_path, tables, files)
