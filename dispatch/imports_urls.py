from django.urls import path

from dispatch.imports_api import TicketImportView, TicketIntakeView, VisitImportView

urlpatterns = [
    # dispatch.urls is routed first: its ticket list answers GET here and hands POST to this view.
    # This route is what gives the OpenAPI schema its POST operation (tickets_receive).
    path("api/v1/tickets/", TicketIntakeView.as_view(), name="ticket-intake"),
    path("api/v1/imports/tickets/", TicketImportView.as_view(), name="import-tickets"),
    path("api/v1/imports/visits/", VisitImportView.as_view(), name="import-visits"),
]
