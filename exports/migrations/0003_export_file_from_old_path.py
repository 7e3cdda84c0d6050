"""Finished exports built before Export.file kept their file at LPA_EXPORTS_ROOT/<id>/<file name>;
the local exports storage is rooted at LPA_EXPORTS_ROOT, so that file is "<id>/<file name>"."""

from django.db import migrations


def forward(apps, schema_editor):
    Export = apps.get_model("exports", "Export")
    finished = Export.objects.filter(status="done", file="").exclude(file_name="")
    for export in finished.only("pk", "file_name").iterator():
        Export.objects.filter(pk=export.pk).update(file=f"{export.pk}/{export.file_name}")


class Migration(migrations.Migration):

    dependencies = [
        ('exports', '0002_add_export_file'),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
