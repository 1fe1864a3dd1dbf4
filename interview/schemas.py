"""Marshmallow schemas: what the API accepts and what it returns.

They also describe the API: `api/openapi.py` builds the OpenAPI document from them.
"""

from datetime import datetime

import regex
from flask import current_app
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from .feedback.answer_check import answer_problem, refusal_message
from .feedback.assessment_schemas import StarPartSchema, StrictInteger
from .feedback.graphemes import MAX_CLUSTER_CODE_POINTS, longest_cluster
from .feedback.questions import CATEGORIES, GENERAL
from .feedback.rubric import (
    ASSESSMENT_METHODS,
    ASSESSMENT_STATUSES,
    CRITERIA,
    QUESTION_KINDS,
    SCALE_MAX,
    SCALE_MIN,
    STAR_PARTS,
)
from .models import KINDS, STATUSES, as_utc

# C0/C1 control characters other than tab, LF and CR: PostgreSQL cannot store NUL,
# and none of them belongs in an interview answer.
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class TrimmedString(fields.String):
    """A string stripped of surrounding whitespace before its length is checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if _CONTROL.search(text):
            raise ValidationError("Must not contain control characters.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Must be valid Unicode text.") from None
        return text


class TextLength(validate.Length):
    """A length in code points, and no character longer than MAX_CLUSTER_CODE_POINTS.

    The characters are checked only once the length is within bounds: a text
    at the cap is cheap to split, a megabyte is not.
    """

    def __call__(self, value: str) -> str:
        value = super().__call__(value)
        if longest_cluster(value) > MAX_CLUSTER_CODE_POINTS:
            raise ValidationError(
                f"Must not hold a character of more than {MAX_CLUSTER_CODE_POINTS} code points "
                "(such as a letter under a run of combining marks)."
            )
        return value


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC, whatever the database session's time zone.

    SQLite hands timestamps back without a zone, and they are UTC; PostgreSQL in
    the session's zone.
    """

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is not None:
            value = as_utc(value)
        return super()._serialize(value, attr, obj, **kwargs)


class FeedbackRequestSchema(Schema):
    question = TrimmedString(required=True, validate=TextLength(min=1, max=2000))
    answer = TrimmedString(
        required=True,
        validate=TextLength(min=1, max=10000),
        metadata={
            "description": (
                "1..10000 characters after trimming. Plainly not an answer (no letters, "
                "one word repeated, keyboard mash) is refused with 422 on `answer` unless "
                "INTERVIEW_ANSWER_CHECK=off; a real sentence in any language never is."
            )
        },
    )
    role = TrimmedString(load_default=None, allow_none=True, validate=TextLength(max=200))
    delay_ms = StrictInteger(
        load_default=None,
        metadata={"description": "Pause between characters, 0..INTERVIEW_MAX_DELAY_MS."},
    )
    transcription_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": (
                "The caller's own transcription (POST /transcriptions) this answer was "
                "spoken in: the record gets its `delivery`, and the model judges delivery "
                "from it. `answer` stays the text sent (the candidate may have edited the "
                "transcript). Unknown or someone else's: 422 on this field."
            )
        },
    )

    @validates("answer")
    def _looks_like_an_answer(self, value: str, **kwargs) -> None:
        """Refuse what is plainly not an answer (`feedback/answer_check.py`)."""
        if not current_app.config["INTERVIEW_ANSWER_CHECK"]:
            return
        problem = answer_problem(value)
        if problem is not None:
            raise ValidationError(refusal_message(problem))

    @validates("delay_ms")
    def _within_max_delay(self, value: int | None, **kwargs) -> None:
        maximum = current_app.config["INTERVIEW_MAX_DELAY_MS"]
        if value is not None and not 0 <= value <= maximum:
            raise ValidationError(f"Must be between 0 and {maximum}.")


class FeedbackErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)


AssessedCriteriaSchema = Schema.from_dict(
    {
        name: fields.Integer(
            allow_none=True,
            validate=validate.Range(SCALE_MIN, SCALE_MAX),
        )
        for name in CRITERIA
    },
    name="AssessedCriteriaSchema",
)
AssessedStarSchema = Schema.from_dict(
    {name: fields.Nested(StarPartSchema, allow_none=True) for name in STAR_PARTS},
    name="AssessedStarSchema",
)


class AssessmentSchema(Schema):
    """The judgement of the answer (`feedback/assessment.py`, docs/assessment.md)."""

    version = fields.String()
    method = fields.String(
        validate=validate.OneOf(ASSESSMENT_METHODS),
        metadata={
            "description": "model (the model's assessment block); heuristic (the offline "
            "analysis's rules, English only). Absent on assessments stored before it"
        },
    )
    status = fields.String(
        validate=validate.OneOf(ASSESSMENT_STATUSES),
        metadata={
            "description": "complete; partial (some parts invalid or missing, see reason); "
            "malformed (nothing usable); missing (no block); unavailable (not judged, "
            "see reason: the offline analysis and an answer not in English)"
        },
    )
    reason = fields.String(allow_none=True)
    question_kind = fields.String(allow_none=True, validate=validate.OneOf(QUESTION_KINDS))
    criteria = fields.Nested(
        AssessedCriteriaSchema,
        metadata={"description": f"Each criterion {SCALE_MIN}-{SCALE_MAX}; absent when not given"},
    )
    star = fields.Nested(
        AssessedStarSchema,
        allow_none=True,
        metadata={"description": "Only for behavioural questions"},
    )
    overall = fields.Integer(
        allow_none=True,
        metadata={"description": "1-10, derived from the five criteria (never from the model)"},
    )


class PauseSchema(Schema):
    start_s = fields.Float()
    duration_s = fields.Float()
    after = fields.String(
        metadata={"description": "The word before the pause (with word timestamps only)"}
    )


class DeliverySchema(Schema):
    """How a spoken answer was delivered (`feedback/delivery.py`)."""

    source = fields.String(
        validate=validate.OneOf(("word_timestamps", "audio_levels")),
        metadata={
            "description": "word_timestamps: timed by the upstream's word timestamps; "
            "audio_levels: timed from the recording's silences (no timestamps given)"
        },
    )
    duration_s = fields.Float(metadata={"description": "The whole recording"})
    speaking_time_s = fields.Float(
        metadata={"description": "From the first word's start to the last word's end"}
    )
    word_count = fields.Integer()
    words_per_minute = fields.Integer(
        allow_none=True, metadata={"description": "Over the speaking time; null without speech"}
    )
    long_pause_min_s = fields.Float(metadata={"description": "What counts as a long pause"})
    long_pauses = fields.List(
        fields.Nested(PauseSchema), metadata={"description": "At most 20, the longest"}
    )
    long_pause_count = fields.Integer()
    longest_pause_s = fields.Float()
    filler_words = fields.Dict(keys=fields.String(), values=fields.Integer())
    filler_count = fields.Integer()


class FeedbackSchema(Schema):
    id = fields.String(attribute="feedback_id")
    question = fields.String()
    answer = fields.String()
    role = fields.String(allow_none=True)
    feedback = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    provider = fields.String()
    model = fields.String()
    prompt_version = fields.String()
    error = fields.Nested(FeedbackErrorSchema, allow_none=True)
    score = fields.Integer(
        allow_none=True,
        metadata={
            "description": "1-10: the assessment's derived overall score, else read from "
            "the feedback's last `Score: N/10` line"
        },
    )
    assessment = fields.Nested(
        AssessmentSchema,
        allow_none=True,
        metadata={
            "description": "The model's assessment, or the offline analysis's (method "
            "heuristic); null on records made before it"
        },
    )
    temperature = fields.Float(allow_none=True, metadata={"description": "Sent to the model"})
    seed = fields.Integer(allow_none=True, metadata={"description": "Sent to the model, if set"})
    metrics = fields.Dict(
        metadata={
            "description": "Answer metrics computed before generation: word_count, "
            "speaking_time_s, filler_words, and the keyword check's `star` parts, which "
            "mean something only where `star_applicable` is true (a behavioural question "
            "answered in English; absent on records made before it)"
        }
    )
    delivery = fields.Nested(
        DeliverySchema,
        allow_none=True,
        metadata={
            "description": "How a spoken answer was delivered (its transcription's); null for "
            "a typed answer"
        },
    )
    usage = fields.Dict(allow_none=True, metadata={"description": "Tokens, when reported"})
    delay_ms = fields.Integer()
    first_token_ms = fields.Integer(allow_none=True)
    created_at = UTCDateTime()
    completed_at = UTCDateTime(allow_none=True)
    kind = fields.String(
        validate=validate.OneOf(KINDS),
        metadata={
            "description": "`answer`: feedback on an answer. A mock interview's `questions`, "
            "`follow_up` question and `report` are records too (listed under their session, "
            "not here); a report's `metrics` is the session's summary"
        },
    )
    session_id = fields.String(
        allow_none=True, metadata={"description": "The mock interview it belongs to"}
    )


class AnswerMetricsRequestSchema(Schema):
    question = TrimmedString(required=True, validate=TextLength(min=1, max=2000))
    answer = TrimmedString(
        required=True,
        validate=TextLength(max=10000),
        metadata={"description": "0..10000 characters after trimming; never checked as an answer"},
    )


class KeyTermsSchema(Schema):
    terms = fields.List(
        fields.String(),
        metadata={
            "description": "The question's content words (stopwords of several languages "
            "dropped, four letters or more, or an acronym), at most eight, in its order"
        },
    )
    used = fields.List(
        fields.String(),
        metadata={"description": "Terms the answer uses: a word of it shares the term's stem"},
    )
    missing = fields.List(fields.String(), metadata={"description": "Terms not used yet"})


class AnswerMetricsSchema(Schema):
    """What `feedback/metrics.py` measures; a record made from the same texts stores it too."""

    word_count = fields.Integer()
    speaking_time_s = fields.Integer()
    words_per_minute = fields.Integer()
    sentence_count = fields.Integer()
    avg_sentence_words = fields.Float()
    filler_words = fields.Dict(keys=fields.String(), values=fields.Integer())
    filler_count = fields.Integer()
    star = fields.Dict(
        keys=fields.String(validate=validate.OneOf(STAR_PARTS)), values=fields.Boolean()
    )
    star_cues = fields.Dict(
        keys=fields.String(validate=validate.OneOf(STAR_PARTS)),
        values=fields.List(fields.String()),
    )
    star_applicable = fields.Boolean(
        metadata={"description": "A behavioural question answered in English: `star` can work"}
    )
    key_terms = fields.Nested(KeyTermsSchema)


class TimedWordSchema(Schema):
    word = fields.String(attribute="text")
    start = fields.Float(attribute="start_s", metadata={"description": "Seconds"})
    end = fields.Float(attribute="end_s", metadata={"description": "Seconds"})


class TranscriptionFormSchema(Schema):
    """The form fields of POST /transcriptions besides `file` (others, such as an OpenAI
    client's `model`, are ignored)."""

    class Meta:
        unknown = EXCLUDE

    language = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[a-z]{2}$", error="Must be an ISO-639-1 code such as en."),
        metadata={"description": "The language spoken, ISO-639-1 (e.g. en); else detected"},
    )


class TranscriptionSchema(Schema):
    """A transcription, dumped from `feedback.transcription.Transcribed`."""

    id = fields.String(attribute="record.transcription_id")
    text = fields.String(attribute="record.text")
    language = fields.String(
        attribute="record.language",
        allow_none=True,
        metadata={"description": "The language asked for, else the one the recogniser named"},
    )
    duration_s = fields.Float(
        attribute="record.duration_s",
        metadata={"description": "Of the recording, measured from its content"},
    )
    model = fields.String(
        attribute="record.model",
        metadata={"description": "The recogniser: the upstream's model, or local:whisper-tiny.en"},
    )
    provider = fields.String(
        validate=validate.OneOf(("openai", "local")),
        metadata={
            "description": "openai: the upstream's audio endpoint; local: a small speech "
            "recogniser on this server (Whisper tiny.en, English only), less accurate than a "
            "hosted model"
        },
    )
    words = fields.List(
        fields.Nested(TimedWordSchema),
        allow_none=True,
        metadata={"description": "The recogniser's word timestamps; null when it gave none"},
    )
    delivery = fields.Nested(DeliverySchema, attribute="record.delivery")
    created_at = UTCDateTime(attribute="record.created_at")


class FeedbackListSchema(Schema):
    items = fields.List(fields.Nested(FeedbackSchema))
    next = fields.String(allow_none=True, metadata={"description": "Cursor of the next page"})


class FeedbackListQuerySchema(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None)


class AcceptedSchema(Schema):
    id = fields.String()
    status = fields.String()
    url = fields.String()
    events_url = fields.String()


class CancellingSchema(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "Always `cancelling`"})


class StartEventSchema(Schema):
    id = fields.String()
    model = fields.String()
    created_at = UTCDateTime()


class QuestionSchema(Schema):
    id = fields.String()
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    text = fields.String()
    tips = fields.String()
    role = fields.String(
        allow_none=True, metadata={"description": "The role the question is meant for, if any"}
    )


class QuestionImportSchema(Schema):
    """One question of a bank imported with `flask questions import`."""

    id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
            error=(
                "Must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."
            ),
        ),
    )
    category = TrimmedString(load_default=GENERAL, validate=validate.OneOf(CATEGORIES))
    text = TrimmedString(required=True, validate=TextLength(min=1, max=2000))
    tips = TrimmedString(load_default="", validate=TextLength(max=1000))
    role = TrimmedString(load_default=None, allow_none=True, validate=TextLength(max=200))


class QuestionListSchema(Schema):
    items = fields.List(fields.Nested(QuestionSchema))


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), load_default=None
    )


class OpenAIErrorSchema(Schema):
    message = fields.String(required=True)
    type = fields.String(required=True)
    code = fields.String(required=True)


class OpenAIProblemSchema(ProblemSchema):
    """A problem on the OpenAI-compatible routes: also the `error` member the SDKs read."""

    error = fields.Nested(OpenAIErrorSchema, required=True)


feedback_request_schema = FeedbackRequestSchema()
feedback_schema = FeedbackSchema()
feedback_list_schema = FeedbackListSchema()
answer_metrics_request_schema = AnswerMetricsRequestSchema()
answer_metrics_schema = AnswerMetricsSchema()
feedback_list_query_schema = FeedbackListQuerySchema()
accepted_schema = AcceptedSchema()
question_list_schema = QuestionListSchema()
question_import_schema = QuestionImportSchema()
transcription_form_schema = TranscriptionFormSchema()
transcription_schema = TranscriptionSchema()
