"""Each street keeps its own gazetteer: an entry gets a street (filled in 0011, required and the key
unique within a street in 0012 — each step its own transaction: on PostgreSQL a schema change after
an update of the rows in one transaction meets their pending foreign-key checks)."""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
