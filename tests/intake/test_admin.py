"""The intake admin pages render for a superuser and never offer to write a ticket by hand."""

import pytest

from intake.importers import import_tickets, import_visits
from intake.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(user)
    return client


def test_the_admin_lists_and_shows_imported_tickets(superuser_client, shared_data):
    import_tickets(shared_data / "sample_tickets_gb18030.csv", file_name="sample_tickets_gb18030.csv")
    import_visits(shared_data / "sample_visits.csv")
    ticket = Ticket.objects.get(ticket_no="S230300000")

    listing = superuser_client.get("/admin/intake/ticket/?q=S230300000")
    detail = superuser_client.get(f"/admin/intake/ticket/{ticket.pk}/change/")
    batches = superuser_client.get("/admin/intake/importbatch/")
    visits = superuser_client.get("/admin/intake/returnvisit/")

    assert listing.status_code == 200 and "S230300000" in listing.content.decode()
    assert detail.status_code == 200 and "早市取缔后" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()  # read-only
    assert batches.status_code == 200 and "sample_tickets_gb18030.csv" in batches.content.decode()
    assert visits.status_code == 200
    assert superuser_client.get("/admin/intake/ticket/add/").status_code == 403
