"""What this app tells the apps above it, without knowing them.

scores_changed: sent inside the transaction of any change that alters how assessments score
(an answer saved, a round opened, a framework corrected, a verified answer or an appeal
decided by the review workflow), with `assessments`, the pks concerned. Receivers run
synchronously in that transaction: the stored results (results/scores.py, connected in
ResultsConfig.ready()) never disagree with the answers, and a receiver that fails rolls the
change back.

event_committed: sent once the transaction that recorded an AssessmentEvent of this app's
workflow (a submission) has committed, with `event`. The review workflow tells the
reviewers; a refused or rolled-back submission sends nothing.
"""

from collections.abc import Iterable

from django.dispatch import Signal

scores_changed = Signal()
event_committed = Signal()


def send_scores_changed(assessments: Iterable[int], *, sender: object) -> None:
    scores_changed.send(sender=sender, assessments=assessments)
