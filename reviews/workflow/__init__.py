"""The review workflow: who may move an assessment where, and what is recorded.

    draft → submitted → in review → (returned → resubmitted → in review)* → verified
          → approved → published → (appealed → published)

- The organization's head submits and resubmits (Assessment.submit).
- A member of the team assigned to the assessment starts the review (or saving the first
  verified answer starts it), scores each indicator (save_verified_answer) and may send the
  assessment back with a reason per indicator and a due date (return_for_revision); the
  provincial office may return too.
- The team's lead verifies once every indicator is scored, and scored again where the
  organization revised it after a return (verify, verification_problems).
- The provincial office of the organization's province approves, one or many (approve).
- The provincial office or the department reopens a verified or approved assessment with a
  reason (reopen): back in review.
- The department publishes the round's approved results, all at once (publish_round).
- The organization's head appeals single indicators in the appeal window (open_appeal); the
  team lead or the provincial office answers each (answer_appeal); when all are answered the
  assessment is published again.

Every transition checks the person first, then locks the assessment row (select_for_update)
and checks status, round phase and anything else that can change under it inside the lock, and
records an AssessmentEvent (the audit trail); notifications go out after the transaction
commits (reviews/notices.py). A refused transition raises PermissionDenied (wrong
person) or TransitionRefused with a Thai message (wrong moment) and changes nothing.

The modules, by topic: roles.py (who is who), trail.py (record, and the steps every
transition shares), review.py (start, return, verified answers, verify), results.py
(approve, reopen, publish, the verified score) and appeals.py. Import from the package
(`from reviews.workflow import approve`); the modules are its inside.
"""

from reviews.workflow.appeals import add_appeal_evidence_file, answer_appeal, appeal_window_problem, open_appeal
from reviews.workflow.results import approve, approve_many, publish_round, reopen, verified_score
from reviews.workflow.review import (
    DEFAULT_REVISION_DAYS,
    VERIFIED_FIELDS,
    ReviewProblem,
    StaleVerifiedAnswer,
    awaiting_recheck,
    clean_verified,
    return_for_revision,
    revised_since_review,
    save_verified_answer,
    start_review,
    verification_problems,
    verified_answer_for,
    verify,
)
from reviews.workflow.roles import (
    assignment_of,
    is_team_lead,
    is_team_member,
    manages_province,
    may_answer_appeal,
    may_reopen,
    may_return,
    may_score,
)
from reviews.workflow.trail import TransitionRefused, record

__all__ = [
    "DEFAULT_REVISION_DAYS",
    "VERIFIED_FIELDS",
    "ReviewProblem",
    "StaleVerifiedAnswer",
    "TransitionRefused",
    "add_appeal_evidence_file",
    "answer_appeal",
    "appeal_window_problem",
    "approve",
    "approve_many",
    "assignment_of",
    "awaiting_recheck",
    "clean_verified",
    "is_team_lead",
    "is_team_member",
    "manages_province",
    "may_answer_appeal",
    "may_reopen",
    "may_return",
    "may_score",
    "open_appeal",
    "publish_round",
    "record",
    "reopen",
    "return_for_revision",
    "revised_since_review",
    "save_verified_answer",
    "start_review",
    "verification_problems",
    "verified_answer_for",
    "verified_score",
    "verify",
]
