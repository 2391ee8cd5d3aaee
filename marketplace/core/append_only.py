"""Tables whose rows are only ever added (audit logs): the ORM refuses to change or delete one,
row by row or in bulk."""

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session


class AppendOnlyViolation(RuntimeError):
    """Someone tried to change or remove a row of an append-only log."""


_guarded: set[type] = set()


def append_only(model: type) -> type:
    """Class decorator: `model`'s rows can be added, never updated or deleted."""

    def refuse(_mapper, _connection, _target) -> None:
        raise AppendOnlyViolation(f"{model.__tablename__} rows are never changed or deleted")

    event.listen(model, "before_update", refuse)
    event.listen(model, "before_delete", refuse)
    _guarded.add(model)
    return model


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ in _guarded:
        raise AppendOnlyViolation(
            f"{mapper.class_.__tablename__} rows are never changed or deleted"
        )
