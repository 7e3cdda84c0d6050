from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "การตรวจประเมินระดับจังหวัด"

    def ready(self) -> None:
        # The self-assessment app below does not know this one: it signals a committed
        # submission, and the review workflow tells the reviewers; its dimension page takes
        # the comment threads from here.
        from assessments.signals import event_committed
        from assessments.views import self_assessment
        from reviews import notices
        from reviews.views.organization_pages import add_comment_threads

        event_committed.connect(notices.announce_committed, dispatch_uid="reviews.notices.announce_committed")
        if add_comment_threads not in self_assessment.block_extenders:
            self_assessment.block_extenders.append(add_comment_threads)
