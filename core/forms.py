"""Form fields every app may use."""

from django import forms
from django.core.exceptions import ValidationError

INTEGER_RANGE = range(-(2**63), 2**63)  # what the database's integer keys can hold


def ids_in(values) -> set[int]:
    """The positive ids among `values` (a form's ticked rows); what is no id (typed by hand,
    "²", past the database's integers) is left out rather than reaching the database."""
    return {int(value) for value in values if _is_integer(str(value)) and 0 < int(value) < 2**63}


def _is_integer(text: str) -> bool:
    return text.isascii() and text.lstrip("-").isdigit()


class ModelIdsField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id past the database's integers as an
    invalid id, as it does any other; SQLite would raise OverflowError on it (a 500)."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk).strip()
            if _is_integer(text) and int(text) not in INTEGER_RANGE:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)
