"""The intake admin pages render for a superuser and never offer to write a ticket by hand."""

import pytest

from dispatch.upstream import import_tickets_and_record
from intake.importers import import_visits
from intake.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(user)
    return client


def test_the_admin_lists_and_shows_imported_tickets(superuser_client, sample_exports):
    import_tickets_and_record(sample_exports / "tickets_gb18030.csv", file_name="tickets_gb18030.csv")
    import_visits(sample_exports / "visits_utf8_bom.csv")
    ticket = Ticket.objects.get(ticket_no="S23022800001")

    listing = superuser_client.get("/admin/intake/ticket/?q=S23022800001")
    detail = superuser_client.get(f"/admin/intake/ticket/{ticket.pk}/change/")
    batches = superuser_client.get("/admin/intake/importbatch/")
    visits = superuser_client.get("/admin/intake/returnvisit/")

    assert listing.status_code == 200 and "S23022800001" in listing.content.decode()
    assert detail.status_code == 200 and "垃圾桶站点设置不合理" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()  # read-only
    assert batches.status_code == 200 and "tickets_gb18030.csv" in batches.content.decode()
    assert visits.status_code == 200
    assert superuser_client.get("/admin/intake/ticket/add/").status_code == 403
