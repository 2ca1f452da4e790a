"""Every ticket belongs to a street (docs/district.md): an existing database's tickets go to its one
street (org 0007); the ticket number becomes unique within its street."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def into_one_street(apps, schema_editor):
    Street = apps.get_model("org", "Street")
    Ticket = apps.get_model("intake", "Ticket")
    if not Ticket.objects.filter(street__isnull=True).exists():
        return
    street = Street.objects.filter(name=settings.REPORTING_STREET_NAME).first() or Street.objects.get()
    Ticket.objects.filter(street__isnull=True).update(street=street)
    if schema_editor.connection.vendor == "postgresql":
        # the rows' deferred foreign-key checks now, or the ALTER TABLE below finds pending events
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_category_alias"),
        ("org", "0007_streets"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="street",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tickets",
                to="org.street",
                verbose_name="street",
            ),
        ),
        migrations.RunPython(into_one_street, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ticket",
            name="street",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tickets",
                to="org.street",
                verbose_name="street",
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="ticket_no",
            field=models.CharField(max_length=64, verbose_name="ticket number"),
        ),
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.UniqueConstraint(fields=("street", "ticket_no"), name="ticket_street_no"),
        ),
        migrations.RemoveIndex(model_name="ticket", name="ticket_status_recv"),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["street", "received_at", "id"], name="ticket_street_recv"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["street", "status", "-received_at"], name="ticket_street_status_recv"),
        ),
    ]
