"""The background task (django-tasks, database backend; run by `manage.py db_worker`)."""

from django_tasks import task

from exports import building


@task()
def build_export(export_pk: int) -> None:
    building.build(export_pk)
