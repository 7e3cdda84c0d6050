"""What this app tells the apps above it, without knowing them.

scores_changed: sent inside the transaction of any change that alters how assessments score
(an answer saved, a round opened, a framework corrected, a verified answer or an appeal
decided by the review workflow), with `assessments`, the assessments concerned (pks, or
Assessment objects loaded with their round, which spares the receiver loading them), and
`indicators`: the pks of the only indicators whose answer or verified answer changed, or
None when anything may have changed (a framework correction, a round opened). With
`indicators` the stored results are updated from those indicators alone; the sender holds
the assessment's lock (selfassessment.lock), so two such updates never interleave. Receivers run
synchronously in that transaction: the stored results (results/scores.py, connected in
ResultsConfig.ready()) never disagree with the answers, and a receiver that fails rolls the
change back.

event_committed: sent once the transaction that recorded an AssessmentEvent of this app's
workflow (a submission) has committed, with `event`. The review workflow tells the
reviewers; a refused or rolled-back submission sends nothing.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.dispatch import Signal

if TYPE_CHECKING:
    from assessments.models import Assessment

scores_changed = Signal()
event_committed = Signal()


def send_scores_changed(
    assessments: "Iterable[int | Assessment]", *, sender: object, indicators: Iterable[int] | None = None
) -> None:
    scores_changed.send(
        sender=sender, assessments=assessments, indicators=None if indicators is None else frozenset(indicators)
    )
