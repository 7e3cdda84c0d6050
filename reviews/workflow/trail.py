"""The trail of a transition, and the steps every transition of the package shares.

record appends an AssessmentEvent; move changes the locked assessment's status and records
it; refuse_status and ensure_round_running are the refusals of the wrong moment; sync copies
the locked row's new state back onto the caller's object.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import Assessment, AssessmentEvent, Indicator, Round
from reviews import notices


class TransitionRefused(ValidationError):
    """The assessment may not move now (status, phase, window, something missing)."""


def record(
    assessment: Assessment,
    kind: str,
    *,
    by: User,
    from_status: str = "",
    to_status: str = "",
    indicator: Indicator | None = None,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime.datetime | None = None,
    notify: bool = True,
) -> AssessmentEvent:
    """Append one event to the assessment's trail; its notifications go out after commit."""
    event = AssessmentEvent.objects.create(
        assessment=assessment,
        kind=kind,
        at=at or timezone.now(),
        by=by,
        revision=assessment.revision,
        from_status=from_status,
        to_status=to_status,
        indicator=indicator,
        note=note,
        data=dict(data or {}),
    )
    if notify:
        transaction.on_commit(lambda: notices.announce(event))
    return event


def move(locked: Assessment, to: str, *, kind: str, by: User, note: str = "", data=None, **fields) -> AssessmentEvent:
    """Change the locked assessment's status (and `fields`), and record it."""
    before = locked.status
    locked.status = to
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields])
    return record(locked, kind, by=by, from_status=before, to_status=to, note=note, data=data)


def refuse_status(locked: Assessment, action: str) -> TransitionRefused:
    return TransitionRefused(
        _("%(action)sไม่ได้ เพราะการประเมินอยู่ในสถานะ “%(status)s”")
        % {"action": action, "status": locked.get_status_display()}
    )


def ensure_round_running(locked: Assessment) -> None:
    if locked.round.phase in (Round.Phase.SETUP, Round.Phase.CLOSED):
        raise TransitionRefused(
            _("รอบการประเมินปี %(year)s %(phase)s จึงเปลี่ยนแปลงไม่ได้")
            % {"year": locked.round.year, "phase": locked.round.get_phase_display()}
        )


def sync(assessment: Assessment, locked: Assessment) -> None:
    """Copy what a transition changed back onto the caller's object."""
    for name in ("status", "revision", "revision_due"):
        setattr(assessment, name, getattr(locked, name))
