"""Each street keeps its own gazetteer: an entry belongs to the street of its community, and an
address key is unique within a street (was: in the deployment)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_streets(apps, schema_editor):
    GazetteerEntry = apps.get_model("intake", "GazetteerEntry")
    Unit = apps.get_model("org", "Unit")
    for street_id in Unit.objects.values_list("street_id", flat=True).distinct():
        GazetteerEntry.objects.filter(community__street_id=street_id).update(street_id=street_id)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0009_streets"),
        ("org", "0008_setting_change_street"),
    ]

    operations = [
        migrations.AddField(
            model_name="gazetteerentry",
            name="street",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="gazetteer_entries",
                to="org.street",
                verbose_name="street",
            ),
        ),
        migrations.RunPython(fill_streets, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="gazetteerentry",
            name="street",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="gazetteer_entries",
                to="org.street",
                verbose_name="street",
            ),
        ),
        migrations.AlterField(
            model_name="gazetteerentry",
            name="key",
            field=models.CharField(max_length=255, verbose_name="matching key"),
        ),
        migrations.AddConstraint(
            model_name="gazetteerentry",
            constraint=models.UniqueConstraint(fields=("street", "key"), name="gazetteer_street_key"),
        ),
    ]
