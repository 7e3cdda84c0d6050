"""Publishing a round's results: the appeal window announced with them."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.forms import BuddhistDateField
from assessments.models import Round

# Fifteen days, as the ITA assessment's clarification window: organizations know that rhythm.
DEFAULT_APPEAL_DAYS = 15


class PublishForm(forms.Form):
    appeal_opens = BuddhistDateField(label=_("วันเปิดรับอุทธรณ์"), required=True)
    appeal_closes = BuddhistDateField(label=_("วันปิดรับอุทธรณ์"), required=True)

    @classmethod
    def initial_for(cls, assessment_round: Round, today: datetime.date) -> dict[str, datetime.date]:
        """The round's window if it is still ahead, else one opening today for 15 days."""
        if assessment_round.appeal_closes and assessment_round.appeal_closes >= today and assessment_round.appeal_opens:
            return {"appeal_opens": assessment_round.appeal_opens, "appeal_closes": assessment_round.appeal_closes}
        return {"appeal_opens": today, "appeal_closes": today + datetime.timedelta(days=DEFAULT_APPEAL_DAYS - 1)}

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("appeal_opens"), cleaned.get("appeal_closes")
        if opens and closes and closes < opens:
            self.add_error("appeal_closes", _("วันปิดรับอุทธรณ์ต้องไม่ก่อนวันเปิดรับอุทธรณ์"))
        return cleaned
