"""`backup create` and `backup restore` (issue 16, point 7): a backup taken while the app runs,
restored into a fresh instance, gives back every row of every table, the uploads and a search
index that finds what the database holds."""

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace import create_app
from marketplace.extensions import db
from tests.listings import images


def _sqlite_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the embedded default's backup; PostgreSQL uses pg_dump (docs/deploy.md)")


def _rows(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        names = sorted(sa.inspect(connection).get_table_names())
        return {
            name: sorted(
                (
                    tuple(map(repr, row))
                    for row in connection.execute(
                        sa.select(
                            sa.table(
                                name,
                                *[
                                    sa.column(c["name"])
                                    for c in sa.inspect(connection).get_columns(name)
                                ],
                            )
                        )
                    )
                ),
            )
            for name in names
        }


def test_a_backup_taken_while_writing_restores_every_row_and_upload(app, runner, make, tmp_path):
    _sqlite_only(app)
    owner = make.user()
    listing_id = make.listing(title="Schwerlastregale", organisation=owner.organisation).id
    photo = Path(app.config["UPLOAD_DIR"]) / "regal.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(images.jpeg(64, 48))
    db.session.commit()

    stop = threading.Event()

    def keep_writing():  # another process's writes while the backup runs
        engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)"))
        while not stop.is_set():
            with engine.begin() as connection:
                connection.execute(sa.text("INSERT INTO scratch VALUES (1)"))
        engine.dispose()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        archive = tmp_path / "backup.tar.gz"
        result = runner.invoke(args=["backup", "create", "-o", str(archive)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.execute(sa.text("DROP TABLE scratch"))
        db.session.commit()

    fresh = tmp_path / "fresh"
    restored = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(fresh),
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{fresh / 'marketplace.db'}",
            "RATELIMIT_ENABLED": False,
        }
    )
    with restored.app_context():  # else the command would run in the test app's context
        result = restored.test_cli_runner().invoke(
            args=["backup", "restore", str(archive), "--yes"]
        )
    assert result.exit_code == 0, result.output
    with restored.app_context():
        copy = _rows(db.engine)
        assert restored.extensions["search"].search("Regal").ids == [listing_id]
    original = _rows(sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"]))
    copy.pop("scratch", None)  # written during the backup: in it up to the copied moment
    assert copy == original
    assert (fresh / "uploads" / "regal.jpg").read_bytes() == photo.read_bytes()


def test_backup_refuses_postgres_and_restore_refuses_other_files(app, runner, tmp_path):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        other = tmp_path / "not-a-backup.tar.gz"
        import tarfile

        with tarfile.open(other, "w:gz") as archive:
            (tmp_path / "x.txt").write_text("x")
            archive.add(tmp_path / "x.txt", "x.txt")
        result = runner.invoke(args=["backup", "restore", str(other), "--yes"])
        assert result.exit_code != 0 and "not a Stoffwechsel backup" in result.output
    else:
        result = runner.invoke(args=["backup", "create", "-o", str(tmp_path / "b.tar.gz")])
        assert result.exit_code != 0 and "pg_dump" in result.output
