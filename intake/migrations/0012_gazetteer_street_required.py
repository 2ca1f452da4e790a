"""Each street keeps its own gazetteer (after 0011 filled every entry's street): the street is
required, and an address key is unique within a street (was: in the deployment)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0011_gazetteer_street_filled"),
    ]

    operations = [
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
