from django.urls import path

from dispatch import views

urlpatterns = [
    path("tickets/", views.workbench, name="workbench"),
    path("tickets/bulk-dispatch/", views.bulk_dispatch, name="bulk-dispatch"),
    path("tickets/<str:ticket_no>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:ticket_no>/panel/", views.ticket_panel, name="ticket-panel"),
    path("tickets/<str:ticket_no>/complainant/", views.reveal_complainant, name="ticket-reveal"),
    path("tickets/<str:ticket_no>/do/<str:action>/", views.ticket_action, name="ticket-action"),
    path("inbox/", views.inbox, name="inbox"),
    path("signoff/", views.signoff_queue, name="signoff-queue"),
    path("notifications/", views.notifications, name="notifications"),
    path("visits/import/", views.visit_import, name="visit-import"),
]
