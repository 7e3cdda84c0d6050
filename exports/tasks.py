"""The background task (django-tasks, database backend; run by `manage.py db_worker`)."""

from django_tasks import task

from core.log_context import task_context
from exports import building


@task(takes_context=True)
def build_export(context, export_pk: int) -> None:
    # Every line the build logs names the task, as a request's lines name the request.
    with task_context(context.task_result.id):
        building.build(export_pk)
