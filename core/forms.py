"""Form fields every app may use."""

from django import forms
from django.core.exceptions import ValidationError

INTEGER_RANGE = range(-(2**63), 2**63)  # what the database's integer keys can hold


class ModelIdsField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id past the database's integers as an
    invalid id, as it does any other; SQLite would raise OverflowError on it (a 500)."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk).strip()
            if text.isascii() and text.lstrip("-").isdigit() and int(text) not in INTEGER_RANGE:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)
