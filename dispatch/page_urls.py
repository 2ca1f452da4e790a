from django.urls import path

from dispatch.views import deliveries, places, queues, ticket, workbench

urlpatterns = [
    path("tickets/", workbench.workbench, name="workbench"),
    path("tickets/bulk-dispatch/", workbench.bulk_dispatch, name="bulk-dispatch"),
    path("tickets/<str:ticket_no>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<str:ticket_no>/panel/", workbench.ticket_panel, name="ticket-panel"),
    path("tickets/<str:ticket_no>/complainant/", ticket.reveal_complainant, name="ticket-reveal"),
    path("tickets/<str:ticket_no>/do/<str:action>/", ticket.ticket_action, name="ticket-action"),
    path("inbox/", queues.inbox, name="inbox"),
    path("signoff/", queues.signoff_queue, name="signoff-queue"),
    path("notifications/", queues.notifications, name="notifications"),
    path("visits/import/", queues.visit_import, name="visit-import"),
    path("deliveries/", deliveries.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/retry/", deliveries.retry_delivery, name="delivery-retry"),
    path("places/unresolved/", places.unplaced_addresses, name="unplaced-addresses"),
]
