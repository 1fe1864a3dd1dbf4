"""Marshmallow schemas of mock interview sessions: what the API accepts and returns."""

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from .feedback.assessment_schemas import StrictInteger
from .feedback.rubric import BEHAVIOURAL, MOTIVATION, TECHNICAL
from .models import SESSION_STATUSES
from .schemas import FeedbackRequestSchema, TextLength, TrimmedString, UTCDateTime

SENIORITIES = ("junior", "mid", "senior", "lead")
MIN_QUESTIONS, MAX_QUESTIONS = 3, 10
MAX_JOB_DESCRIPTION = 8000
MIX_KINDS = (BEHAVIOURAL, TECHNICAL, MOTIVATION)

MixSchema = Schema.from_dict(
    {kind: StrictInteger(load_default=0, validate=validate.Range(min=0)) for kind in MIX_KINDS},
    name="SessionMix",
)


class SessionRequestSchema(Schema):
    role = TrimmedString(required=True, validate=TextLength(min=1, max=200))
    seniority = fields.String(load_default="mid", validate=validate.OneOf(SENIORITIES))
    job_description = TrimmedString(
        load_default=None,
        allow_none=True,
        validate=TextLength(max=MAX_JOB_DESCRIPTION),
        metadata={
            "description": (
                f"0..{MAX_JOB_DESCRIPTION} characters, pasted: data for the prompt, never "
                "instructions. With one (and a model configured), the questions are written "
                "for it unless `question_source` is `bank`."
            )
        },
    )
    question_count = StrictInteger(
        load_default=5, validate=validate.Range(min=MIN_QUESTIONS, max=MAX_QUESTIONS)
    )
    mix = fields.Nested(
        MixSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "How many of each kind, adding up to `question_count`"},
    )
    question_source = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(("bank", "model")),
        metadata={
            "description": (
                "`model`: written for the role and job description, streamed; `bank`: from "
                "the question bank. Default: `model` with a job description, else `bank`. "
                "Without a model configured, always `bank` (`questions_note` says so)."
            )
        },
    )

    @validates_schema
    def _mix_adds_up(self, data, **kwargs) -> None:
        mix = data.get("mix")
        if mix is not None and sum(mix.values()) != data["question_count"]:
            raise ValidationError("Must add up to question_count.", "mix")

    @post_load
    def _no_empty_job_description(self, data, **kwargs) -> dict:
        return {**data, "job_description": data.get("job_description") or None}


class SessionAnswerRequestSchema(FeedbackRequestSchema):
    """An answer to one of the session's questions: the question and role are the session's."""

    class Meta:
        exclude = ("question", "role")


class GenerationRefSchema(Schema):
    id = fields.String()
    status = fields.String()
    events_url = fields.String(metadata={"description": "Its event stream, as for feedback"})


class SessionQuestionSchema(Schema):
    number = fields.String(metadata={"description": '"3", or "3a" for the follow-up on 3'})
    follow_up = fields.Boolean()
    text = fields.String()
    category = fields.String(validate=validate.OneOf(MIX_KINDS))
    why = fields.String(allow_none=True, metadata={"description": "Why it is asked"})
    source = fields.String(validate=validate.OneOf(("bank", "model", "follow_up")))
    status = fields.String(validate=validate.OneOf(("pending", "answered", "skipped")))
    feedback_id = fields.String(allow_none=True, metadata={"description": "The answer's record"})
    feedback_status = fields.String(allow_none=True)
    score = fields.Integer(allow_none=True)
    follow_up_generation = fields.Nested(
        GenerationRefSchema,
        allow_none=True,
        metadata={"description": "What writes the follow-up on this answer"},
    )


class SessionProgressSchema(Schema):
    total = fields.Integer()
    answered = fields.Integer()
    skipped = fields.Integer()
    follow_ups_answered = fields.Integer()
    current = fields.Integer(allow_none=True, metadata={"description": "The question one is on"})


class SessionSchema(Schema):
    id = fields.String(attribute="session_id")
    role = fields.String()
    seniority = fields.String()
    job_description = fields.String(allow_none=True)
    question_count = fields.Integer()
    mix = fields.Nested(MixSchema)
    question_source = fields.String()
    questions_note = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(SESSION_STATUSES))
    created_at = UTCDateTime()
    ended_at = UTCDateTime(allow_none=True)
    questions_generation = fields.Nested(GenerationRefSchema, allow_none=True)
    questions = fields.List(fields.Nested(SessionQuestionSchema))
    next = fields.String(allow_none=True, metadata={"description": "The next question's number"})
    progress = fields.Nested(SessionProgressSchema)
    report = fields.Nested(GenerationRefSchema, allow_none=True)


class SessionListSchema(Schema):
    items = fields.List(fields.Nested(SessionSchema))
    next = fields.String(allow_none=True, metadata={"description": "Cursor of the next page"})


class NextQuestionSchema(Schema):
    question = fields.Nested(SessionQuestionSchema)


session_request_schema = SessionRequestSchema()
session_answer_request_schema = SessionAnswerRequestSchema()
session_schema = SessionSchema()
session_list_schema = SessionListSchema()
next_question_schema = NextQuestionSchema()
