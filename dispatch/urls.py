from django.urls import path

from dispatch import api

urlpatterns = [
    # GET lists tickets; POST receives one (delegated to dispatch.imports_api.TicketIntakeView).
    path("api/v1/tickets/", api.TicketListView.as_view(), name="ticket-list"),
    path("api/v1/tickets/<str:ticket_no>/", api.TicketDetailView.as_view(), name="ticket-detail"),
    path("api/v1/tickets/<str:ticket_no>/actions/", api.TicketActionView.as_view(), name="ticket-action"),
    path("api/v1/tickets/<str:ticket_no>/events/", api.TicketEventsView.as_view(), name="ticket-events"),
    path(
        "api/v1/tickets/<str:ticket_no>/attachments/<int:attachment_id>/",
        api.TicketAttachmentView.as_view(),
        name="ticket-attachment",
    ),
    path(
        "api/v1/tickets/<str:ticket_no>/evidence/<int:evidence_id>/",
        api.TicketEvidenceView.as_view(),
        name="ticket-evidence",
    ),
    path("api/v1/notifications/", api.NotificationListView.as_view(), name="notification-list"),
    path("api/v1/notifications/read/", api.NotificationReadView.as_view(), name="notification-read"),
]
