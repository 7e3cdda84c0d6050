from django.db import migrations


def forward(apps, schema_editor):
    from organizations.geography import load_geography

    load_geography(apps.get_model("organizations", "Province"), apps.get_model("organizations", "District"))


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_add_registry_import")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
