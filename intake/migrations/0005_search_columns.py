"""Search columns (intake.search_columns): the words as character pairs, the caller key and the phone's last
four digits, their indexes, and on PostgreSQL the generated ``search_vector`` with its GIN index.
Existing tickets are filled here (``refresh_search_columns``, 5,000 rows per UPDATE)."""

from django.conf import settings


from django.db import migrations, models

SEARCH_VECTOR_SQL = (
    "ALTER TABLE intake_ticket ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_words)) STORED",
    "CREATE INDEX ticket_search_vector ON intake_ticket USING gin (search_vector)",
    # the planner estimates a searched word from the most common words ANALYZE keeps: keep more of
    # them (10,000) so that a common place name is known as common and read newest first
    "ALTER TABLE intake_ticket ALTER COLUMN search_vector SET STATISTICS 1000",
)


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in SEARCH_VECTOR_SQL:
            schema_editor.execute(sql)


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE intake_ticket DROP COLUMN search_vector")


def backfill(apps, schema_editor):
    from intake.search_columns import refresh_search_columns

    refresh_search_columns(apps.get_model("intake", "Ticket").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_ticket_fillfactor"),
        ("org", "0003_api_token"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="caller_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=32, verbose_name="caller key"),
        ),
        migrations.AddField(
            model_name="ticket",
            name="phone_tail",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=4, verbose_name="last four digits"
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="search_words",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search words"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["ticket_no"], name="ticket_no_prefix", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["complainant_name"], name="ticket_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["caller_key", "-received_at"], name="ticket_caller_recv"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["phone_tail", "-received_at"], name="ticket_phone_tail_recv"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(add_search_vector, drop_search_vector),
    ]
