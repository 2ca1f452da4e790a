"""Snapshots per street (docs/district.md): an existing database's snapshots are its one street's."""

import django.db.models.deletion
from django.db import migrations, models


def into_one_street(apps, schema_editor):
    Snapshot = apps.get_model("reporting", "Snapshot")
    if not Snapshot.objects.filter(street__isnull=True).exists():
        return
    from django.conf import settings

    Street = apps.get_model("org", "Street")
    street = Street.objects.filter(name=settings.REPORTING_STREET_NAME).first() or Street.objects.get()
    Snapshot.objects.filter(street__isnull=True).update(street=street)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0007_streets"),
        ("reporting", "0002_default_scoring_policy"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="snapshot", name="snapshot_job_period_unique"),
        migrations.AddField(
            model_name="snapshot",
            name="street",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="org.street",
                verbose_name="street",
            ),
        ),
        migrations.RunPython(into_one_street, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="snapshot",
            name="street",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="org.street", verbose_name="street"
            ),
        ),
        migrations.AddConstraint(
            model_name="snapshot",
            constraint=models.UniqueConstraint(fields=("street", "job", "period_start"), name="snapshot_street_job_period"),
        ),
    ]
