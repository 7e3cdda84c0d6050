"""Earlier notifications get the email state they had: sent when emailed_at is set; failed
(once, reason unrecorded: the old delivery only logged it) when their recipient had an
address and nothing went; otherwise not needed (the default). Failed ones can be sent again
with `manage.py retry_failed_mail`."""

from django.db import migrations


def forward(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(emailed_at__isnull=False).update(email_status="sent")
    Notification.objects.filter(emailed_at__isnull=True).exclude(recipient__email="").update(
        email_status="failed",
        email_attempts=1,
        email_last_error="ส่งก่อนมีคิวอีเมล ไม่ได้บันทึกสาเหตุ",
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_add_email_queue_state")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
