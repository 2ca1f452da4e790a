"""Each gazetteer entry gets the street of its community (0010 added the column)."""

from django.db import migrations


def fill_streets(apps, schema_editor):
    GazetteerEntry = apps.get_model("intake", "GazetteerEntry")
    Unit = apps.get_model("org", "Unit")
    for street_id in Unit.objects.values_list("street_id", flat=True).distinct():
        GazetteerEntry.objects.filter(community__street_id=street_id).update(street_id=street_id)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0010_gazetteer_per_street"),
    ]

    operations = [
        migrations.RunPython(fill_streets, migrations.RunPython.noop),
    ]
