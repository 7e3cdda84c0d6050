"""What the review adds to the organization's own pages: each indicator's comment thread with
the team on the dimension page (registered with assessments.views.self_assessment in
ReviewsConfig.ready(); the self-assessment app does not know this one)."""

from django.http import HttpRequest

from assessments.models import Assessment
from assessments.views.self_assessment import Block, mark_invalid
from reviews import comments
from reviews.forms.review import CommentForm


def add_comment_threads(
    request: HttpRequest, assessment: Assessment, blocks: list[Block], override: dict[int, dict]
) -> None:
    """Give each block its thread: one query for every thread of the page. The organization
    comments here; reviewers read (internal notes marked as such) and write on the review page.
    A posted comment form that was refused comes back in `override` as "comment_form"."""
    reader = comments.reader(request.user, assessment)
    threads = comments.comments_for(assessment, user=request.user, role=reader)
    if reader == comments.Reader.NONE:
        return
    can_comment = reader == comments.Reader.ORGANIZATION and comments.may_post(request.user, assessment, role=reader)
    for block in blocks:
        indicator = block.indicator
        # Comments stay open after submission: that is when the team asks its questions.
        form = override.get(indicator.pk, {}).pop("comment_form", None) or (
            CommentForm(indicator=indicator) if can_comment else None
        )
        if form is not None:
            mark_invalid(form)
        block.thread = comments.Thread(indicator, threads.get(indicator.pk, []), form=form)
