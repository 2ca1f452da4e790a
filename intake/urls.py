from django.urls import path

from intake.api import TicketImportView, TicketIntakeView

urlpatterns = [
    # dispatch.urls is routed first: its ticket list answers GET here and hands POST to this view.
    # This route is what gives the OpenAPI schema its POST operation (tickets_receive).
    path("api/v1/tickets/", TicketIntakeView.as_view(), name="ticket-intake"),
    path("api/v1/imports/tickets/", TicketImportView.as_view(), name="import-tickets"),
]
