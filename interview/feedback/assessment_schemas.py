"""The assessment block as the model writes it, loaded part by part (`assessment.py`).

What the model writes is input like any other: each part is validated on its
own, so what is valid is kept when another part is not. Unknown keys are
dropped. `StarPartSchema` also describes a STAR part of the API's record
(`schemas.py`), and `StrictInteger` its integer fields.
"""

from marshmallow import EXCLUDE, Schema, fields, validate

from .rubric import (
    CRITERIA,
    MAX_QUOTE_CHARACTERS,
    QUESTION_KINDS,
    SCALE_MAX,
    SCALE_MIN,
    STAR_PARTS,
    STAR_STATUSES,
)


class StrictInteger(fields.Integer):
    """An integer that rejects booleans, floats and numeric strings."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


ModelCriteriaSchema = Schema.from_dict(
    {
        name: StrictInteger(required=True, validate=validate.Range(SCALE_MIN, SCALE_MAX))
        for name in CRITERIA
    },
    name="ModelCriteriaSchema",
)


class StarPartSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(required=True, validate=validate.OneOf(STAR_STATUSES))
    quote = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_QUOTE_CHARACTERS),
        metadata={"description": "The few words of the answer that show the part"},
    )


ModelStarSchema = Schema.from_dict(
    {name: fields.Nested(StarPartSchema, required=True) for name in STAR_PARTS},
    name="ModelStarSchema",
)


class ModelAssessmentSchema(Schema):
    """The block's own fields; its `criteria` and `star` are loaded on their own."""

    class Meta:
        unknown = EXCLUDE

    question_kind = fields.String(required=True, validate=validate.OneOf(QUESTION_KINDS))


model_assessment_schema = ModelAssessmentSchema()
model_criteria_schema = ModelCriteriaSchema(unknown=EXCLUDE)
model_star_schema = ModelStarSchema(unknown=EXCLUDE)
