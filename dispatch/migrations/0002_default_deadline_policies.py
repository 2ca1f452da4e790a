"""The default deadline rules of docs/domain.md §3 (editable afterwards in the admin)."""

from django.db import migrations

# urgent: contact within 2 hours, handled within 24 hours; normal: contact within 24 hours,
# handled within 7 calendar days; consultations: answered within 24 hours. Acknowledgement (签收)
# within 1 hour for urgent tickets and 4 hours otherwise: a house default, see docs/workflow.md.
DEFAULTS = [
    ("urgent", 1, 2, 24, "hours"),
    ("normal", 4, 24, 7, "calendar_days"),
    ("consult", 4, 24, 24, "hours"),
]


def create_defaults(apps, schema_editor):
    policy = apps.get_model("dispatch", "DeadlinePolicy")
    for rule, ack, contact, amount, unit in DEFAULTS:
        policy.objects.get_or_create(
            rule=rule,
            defaults={
                "acknowledge_hours": ack,
                "contact_hours": contact,
                "handle_amount": amount,
                "handle_unit": unit,
                "due_soon_fraction": "0.25",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
