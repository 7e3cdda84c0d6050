"""Comments on an indicator: the thread between the organization and its review team.

Who writes what:
- the organization's own people (staff and head) post comments the team reads;
- members of the team assigned to the assessment and the provincial office of its province
  post comments, or internal notes (`internal=True`) meant for the reviewers only;
- the department reads every thread, internal notes included, but does not post: its word
  on a result goes through reopening with a reason (reviews.workflow.reopen), which the
  trail keeps, rather than through a conversation it has no part in.

The organization never sees internal notes: comments_for leaves them out for anyone who is
not a reviewer, and the organization's pages only ever show what comments_for returns.
Comments close with the round (nothing is posted to a closed round), not with the status:
a question about a returned indicator or a published result is still worth asking.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.access import is_department, is_member, scope_for
from accounts.models import User
from assessments.models import Assessment, Indicator, Round
from assessments.selfassessment import applies
from reviews.models import Comment
from reviews.workflow import is_team_member, manages_province

# A comment is a message, not a document: long texts belong in evidence.
MAX_BODY = 4000


class CommentRefused(ValidationError):
    """The comment cannot be posted (empty, too long, round closed); Thai, per field."""


@dataclass
class Thread:
    """One indicator's thread as a page shows it (reviews/snippets/comment_thread.html)."""

    indicator: Indicator
    comments: list[Comment] = field(default_factory=list)
    form: Any = None  # a reviews.forms.review.CommentForm when the user may post
    message: str = ""
    message_level: str = "success"


class Reader(Enum):
    """How much of an assessment's threads a user reads."""

    NONE = "none"
    ORGANIZATION = "organization"  # comments only
    REVIEWER = "reviewer"  # comments and internal notes


def reader(user: User | None, assessment: Assessment) -> Reader:
    """What `user` reads of the assessment's threads.

    Ordered so that the common cases cost no query: the organization's people and the
    provincial office or department come from the cached scope; only an assessor costs one
    (are they on the assigned team?).
    """
    if user is None or not user.is_active:
        return Reader.NONE
    if is_member(user, assessment.organization_id):
        return Reader.ORGANIZATION
    if is_department(user) or manages_province(user, assessment):
        return Reader.REVIEWER
    if scope_for(user).province_ids and is_team_member(user, assessment):
        return Reader.REVIEWER
    return Reader.NONE


def may_post(user: User | None, assessment: Assessment, *, role: Reader | None = None) -> bool:
    """Whether `user` may post on the assessment's threads now (internal notes: reviewers only).

    `role` is reader(user, assessment) when the caller has it already.
    """
    role = reader(user, assessment) if role is None else role
    if role == Reader.NONE or (role == Reader.REVIEWER and not _takes_part(user, assessment)):
        return False
    return _round_open(assessment)


def _takes_part(user: User, assessment: Assessment) -> bool:
    """A reviewer who posts: the assigned team or the provincial office, not the department
    (unless it also holds one of those places)."""
    return manages_province(user, assessment) or is_team_member(user, assessment)


def _round_open(assessment: Assessment) -> bool:
    return assessment.round.phase not in (Round.Phase.SETUP, Round.Phase.CLOSED)


def post_comment(
    *, assessment: Assessment, indicator: Indicator, by: User, body: str, internal: bool = False
) -> Comment:
    """Post `body` on the indicator's thread; PermissionDenied for who may not, CommentRefused
    (Thai, on "body") for an empty or overlong text or a closed round."""
    role = reader(by, assessment)
    if role == Reader.NONE:
        raise PermissionDenied(_("คุณไม่มีสิทธิ์แสดงความเห็นในการประเมินนี้"))
    if role == Reader.ORGANIZATION and internal:
        raise PermissionDenied(_("บันทึกภายในเป็นของคณะผู้ประเมินเท่านั้น"))
    if role == Reader.REVIEWER and not _takes_part(by, assessment):
        raise PermissionDenied(_("กรมอ่านความเห็นได้ แต่ไม่ได้ร่วมแสดงความเห็นในการตรวจประเมิน"))
    if not applies(assessment, indicator):
        raise CommentRefused(_("ตัวชี้วัดนี้ไม่ใช้กับ อปท. นี้"))
    if not _round_open(assessment):
        raise CommentRefused(
            {"body": _("รอบการประเมินปี %(year)s ปิดแล้ว จึงแสดงความเห็นไม่ได้") % {"year": assessment.round.year}}
        )
    body = (body or "").strip()
    if not body:
        raise CommentRefused({"body": _("พิมพ์ข้อความก่อนส่งความเห็น")})
    if len(body) > MAX_BODY:
        message = _("ข้อความยาวเกิน %(max)s ตัวอักษร (มี %(n)s) โปรดย่อ หรือแนบเป็นหลักฐาน")
        raise CommentRefused({"body": message % {"max": MAX_BODY, "n": len(body)}})
    comment = Comment.objects.create(assessment=assessment, indicator=indicator, author=by, body=body, internal=internal)
    assessment.touch()  # the organization's cached pages show the thread
    return comment


def comments_for(assessment: Assessment, *, user: User | None, role: Reader | None = None) -> dict[int, list[Comment]]:
    """The threads `user` may read, by indicator pk, oldest first, in one query.

    Internal notes only for reviewers; nothing at all for a user outside the conversation.
    """
    role = reader(user, assessment) if role is None else role
    if role == Reader.NONE:
        return {}
    comments = Comment.objects.filter(assessment=assessment).select_related("author")
    if role != Reader.REVIEWER:
        comments = comments.filter(internal=False)
    threads: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments.order_by("created_at", "pk"):
        threads[comment.indicator_id].append(comment)
    return dict(threads)
