"""What every PostgreSQL connection of the product is set to (jxq_cases/settings.py)."""

from django.db import connection


def test_jit_is_off_on_every_connection(db):
    # docs/performance.md, "JIT": compiling cost 100-200 ms per page query at a million tickets
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
