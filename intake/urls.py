from django.urls import path

from intake.api import TicketImportView, TicketIntakeView

urlpatterns = [
    # POST only; dispatch's ticket list answers GET on the same path (its list view delegates POST here).
    path("api/v1/tickets/", TicketIntakeView.as_view(), name="ticket-intake"),
    path("api/v1/imports/tickets/", TicketImportView.as_view(), name="import-tickets"),
]
