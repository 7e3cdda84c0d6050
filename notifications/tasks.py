"""The background task that emails notifications (django-tasks, database backend; run by
`manage.py db_worker`). notifications/sending.py enqueues it and does the work."""

from django_tasks import task

from core.log_context import task_context
from notifications import sending


@task(takes_context=True)
def send_notification_emails(context, notification_pks: list[int]) -> dict[str, int]:
    # Every line the sending logs names the task, as a request's lines name the request.
    with task_context(context.task_result.id):
        run = sending.send_queued(notification_pks)
    return {"sent": run.sent, "retrying": run.retrying, "failed": run.failed}
