"""Schemas shared by every API module: the contract's error answer."""

from marshmallow import Schema, fields


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
