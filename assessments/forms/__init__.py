"""Forms for the framework pages. Each takes what it needs explicitly (round, user, kind);
the rules on what may change when are assessments/framework.py's, so the forms only check
input and turn it into the `changes` those functions take.

Split by screen: rounds.py (creating a round, settings and bands), framework.py
(dimensions, categories, indicators, options), workbook.py (uploading a framework
workbook); fields.py holds what they share. Import the forms from here.
"""

from assessments.forms.fields import (
    BUDDHIST_ERA_OFFSET,
    DATE_HINT,
    BuddhistDateField,
    RowsFormSet,
    add_errors,
)
from assessments.forms.framework import (
    BaseOptionFormSet,
    CategoryForm,
    DimensionForm,
    IndicatorForm,
    OptionForm,
    OptionFormSet,
    ReasonForm,
    option_formset,
)
from assessments.forms.rounds import (
    BandForm,
    BandFormSet,
    BaseBandFormSet,
    RoundCreateForm,
    RoundSettingsForm,
    band_formset,
)
from assessments.forms.workbook import XLSX_ACCEPT, WorkbookUploadForm

__all__ = [
    "BUDDHIST_ERA_OFFSET",
    "DATE_HINT",
    "XLSX_ACCEPT",
    "BandForm",
    "BandFormSet",
    "BaseBandFormSet",
    "BaseOptionFormSet",
    "BuddhistDateField",
    "CategoryForm",
    "DimensionForm",
    "IndicatorForm",
    "OptionForm",
    "OptionFormSet",
    "ReasonForm",
    "RoundCreateForm",
    "RoundSettingsForm",
    "RowsFormSet",
    "WorkbookUploadForm",
    "add_errors",
    "band_formset",
    "option_formset",
]
