from django.db import migrations

from org.units import load_jiuxianqiao_units


def load_units(apps, schema_editor):
    load_jiuxianqiao_units(apps.get_model("org", "Unit"))


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]

    operations = [migrations.RunPython(load_units, migrations.RunPython.noop)]
