from django.urls import path

from proactive import views

urlpatterns = [
    path("proactive/", views.proactive_home, name="proactive"),
    path("tickets/<str:ticket_no>/caller/", views.caller_fragment, name="ticket-caller"),
    path("proactive/triage-assistant/", views.triage_assistant, name="triage-assistant"),
    path("proactive/hotspots/<int:hotspot_id>/case/", views.case_from_hotspot, name="proactive-case-from-hotspot"),
    path("proactive/cases/<int:pk>/", views.case_detail, name="proactive-case"),
    path("proactive/cases/<int:pk>/open/", views.case_open, name="proactive-case-open"),
    path("proactive/cases/<int:pk>/measures/", views.case_measure, name="proactive-case-measure"),
    path("proactive/cases/<int:pk>/tickets/", views.case_link, name="proactive-case-link"),
    path("proactive/cases/<int:pk>/close/", views.case_close, name="proactive-case-close"),
]
