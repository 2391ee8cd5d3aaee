"""The migrations build exactly the schema the models describe, from the first table on."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from marketplace import create_app
from marketplace.categories.models import Category
from marketplace.extensions import db


def test_upgrade_from_empty_matches_the_models_and_loads_the_taxonomy(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}",
        }
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        categories = db.session.execute(select(Category)).scalars().all()
        assert len(categories) >= 20
        assert {c.resource_type for c in categories} == {"material", "equipment", "space"}
        db.session.remove()


def test_downgrade_to_nothing_and_up_again(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'roundtrip.db'}",
        }
    )
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "listings" in inspect(db.engine).get_table_names()
        db.session.remove()
