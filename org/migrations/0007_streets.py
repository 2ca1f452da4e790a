"""Districts and streets (docs/district.md): an existing single-street database becomes one street,
named by REPORTING_STREET_NAME in REPORTING_DISTRICT_NAME, holding every unit and every person."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def default_street(apps):
    """The street a single-street database becomes (created when missing)."""
    District = apps.get_model("org", "District")
    Street = apps.get_model("org", "Street")
    district, _ = District.objects.get_or_create(name=settings.REPORTING_DISTRICT_NAME)
    street, _ = Street.objects.get_or_create(name=settings.REPORTING_STREET_NAME, defaults={"district": district})
    return street


def into_one_street(apps, schema_editor):
    street = default_street(apps)
    apps.get_model("org", "Unit").objects.filter(street__isnull=True).update(street=street)
    apps.get_model("org", "User").objects.filter(street__isnull=True).update(street=street)
    if schema_editor.connection.vendor == "postgresql":
        # the rows' deferred foreign-key checks now, or the ALTER TABLE below finds pending events
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0006_center_admin_and_setting_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="District",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
            ],
            options={"verbose_name": "district", "verbose_name_plural": "districts", "ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="Street",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                (
                    "district",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="streets",
                        to="org.district",
                        verbose_name="district",
                    ),
                ),
            ],
            options={"verbose_name": "street", "verbose_name_plural": "streets", "ordering": ["district__name", "name"]},
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("center_staff", "Center staff"),
                    ("unit_handler", "Unit handler"),
                    ("section_leader", "Section leader"),
                    ("principal_leader", "Principal leader"),
                    ("inspector", "Inspector"),
                    ("platform", "Upstream platform (machine client)"),
                    ("center_admin", "Center administrator"),
                    ("district_staff", "District center staff"),
                    ("district_leader", "District leader"),
                ],
                default="unit_handler",
                max_length=32,
                verbose_name="role",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="people",
                to="org.district",
                verbose_name="district",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="street",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="people",
                to="org.street",
                verbose_name="street",
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="street",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="units",
                to="org.street",
                verbose_name="street",
            ),
        ),
        migrations.RunPython(into_one_street, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="unit",
            name="street",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="units",
                to="org.street",
                verbose_name="street",
            ),
        ),
        migrations.RemoveConstraint(model_name="unit", name="org_unit_one_center"),
        migrations.AlterField(
            model_name="unit",
            name="name",
            field=models.CharField(max_length=100, verbose_name="name"),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.UniqueConstraint(fields=("street", "name"), name="org_unit_street_name"),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_center", True)), fields=("street",), name="org_unit_one_center_per_street"
            ),
        ),
    ]
