"""Schemas shared by every API module: the contract's error answer and the base of every
request body."""

from marshmallow import RAISE, Schema, fields


class InputSchema(Schema):
    """A write endpoint's body. A field the endpoint does not take, unknown or one the
    application sets itself (id, status, organisation_id, quantity_remaining, role...), is a
    422 that names it: ignoring it silently let a client believe it had been applied."""

    class Meta:
        unknown = RAISE


class ErrorBody(Schema):
    code = fields.String(metadata={"description": "A machine word, e.g. `validation_failed`."})
    message = fields.String(metadata={"description": "Text for people, in the caller's language."})
    problems = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        data_key="fields",
        metadata={"description": "Only for 422: the problems of each field."},
    )


class ErrorOutput(Schema):
    error = fields.Nested(ErrorBody)
