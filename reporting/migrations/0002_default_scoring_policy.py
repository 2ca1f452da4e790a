from datetime import date
from decimal import Decimal

from django.db import migrations


def create_default_policy(apps, schema_editor):
    # docs/domain.md §4: the default weights; effective from long before any ticket so every month has a policy.
    ScoringPolicy = apps.get_model("reporting", "ScoringPolicy")
    ScoringPolicy.objects.get_or_create(
        effective_from=date(2000, 1, 1),
        defaults={
            "name": "默认考评规则",
            "w_response": Decimal("0.10"),
            "w_resolution": Decimal("0.60"),
            "w_satisfaction": Decimal("0.30"),
            "decimals": 2,
            "min_counted_to_rank": 5,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
