"""Who may open a comment: its author, and the department (officials and system admins)."""

from django.http import Http404

from accounts.access import is_department
from accounts.models import User
from feedback.models import Feedback


def get_feedback_for_user(user: User, pk: int) -> Feedback:
    """The comment `pk` if `user` wrote it or is the department; 404 for anyone else."""
    queryset = Feedback.objects.select_related("author", "answered_by")
    if not is_department(user):
        queryset = queryset.filter(author=user)
    try:
        return queryset.get(pk=pk)
    except Feedback.DoesNotExist:
        raise Http404 from None
