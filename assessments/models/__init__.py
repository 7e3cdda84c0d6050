"""Assessment rounds, their frameworks and one assessment per organization per round.

A round (one assessment year) owns its framework: dimensions → categories (หมวด) →
indicators → options (levels, checklist criteria or figure bands). DLA rewrites the
indicators every year, so nothing is shared between rounds; a new year starts as a copy
(`framework.copy_round`) and past years stay as they were.

The rules on who may change a framework and when live in assessments/framework.py; the
models hold the data and every invariant the database can keep.

The models are split by topic: rounds.py (rounds and result bands), framework.py
(dimensions, categories, indicators, options and corrections), assessment.py (assessments
and their workflow records) and answers.py (answers and evidence). Import them from here.
"""

from assessments.models.answers import Answer, Evidence, EvidenceQuerySet, StoredFile, StoredFileQuerySet
from assessments.models.assessment import (
    Assessment,
    AssessmentEvent,
    AssessmentQuerySet,
    Extension,
    ReturnedIndicator,
)
from assessments.models.framework import (
    POINTS_VALIDATORS,
    Category,
    Dimension,
    FrameworkCorrection,
    Indicator,
    IndicatorOption,
    IndicatorQuerySet,
    all_organization_types,
)
from assessments.models.rounds import (
    DEFAULT_BANDS,
    DEFAULT_PASS_MARK,
    FIRST_BUDDHIST_YEAR,
    PERCENT_VALIDATORS,
    ROUND_WINDOWS,
    ResultBand,
    Round,
    RoundQuerySet,
)

__all__ = [
    "DEFAULT_BANDS",
    "DEFAULT_PASS_MARK",
    "FIRST_BUDDHIST_YEAR",
    "PERCENT_VALIDATORS",
    "POINTS_VALIDATORS",
    "ROUND_WINDOWS",
    "Answer",
    "Assessment",
    "AssessmentEvent",
    "AssessmentQuerySet",
    "Category",
    "Dimension",
    "Evidence",
    "EvidenceQuerySet",
    "Extension",
    "FrameworkCorrection",
    "Indicator",
    "IndicatorOption",
    "IndicatorQuerySet",
    "ResultBand",
    "ReturnedIndicator",
    "Round",
    "RoundQuerySet",
    "StoredFile",
    "StoredFileQuerySet",
    "all_organization_types",
]
