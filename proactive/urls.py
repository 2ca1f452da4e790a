from django.urls import path

from proactive import api

urlpatterns = [
    path("api/v1/tickets/<str:ticket_no>/similar/", api.SimilarTicketsView.as_view(), name="api-ticket-similar"),
    path(
        "api/v1/tickets/<str:ticket_no>/suggestions/",
        api.TriageSuggestionsView.as_view(),
        name="api-ticket-suggestions",
    ),
    path("api/v1/hotspots/", api.HotSpotListView.as_view(), name="api-hotspots"),
    path("api/v1/hotspots/run/", api.HotSpotRunView.as_view(), name="api-hotspots-run"),
    path("api/v1/hotspots/<int:pk>/", api.HotSpotDetailView.as_view(), name="api-hotspot"),
    path("api/v1/proactive-cases/", api.CaseListView.as_view(), name="api-proactive-cases"),
    path("api/v1/proactive-cases/<int:pk>/", api.CaseDetailView.as_view(), name="api-proactive-case"),
    path("api/v1/proactive-cases/<int:pk>/open/", api.CaseOpenView.as_view(), name="api-proactive-case-open"),
    path(
        "api/v1/proactive-cases/<int:pk>/measures/", api.CaseMeasureView.as_view(), name="api-proactive-case-measures"
    ),
    path("api/v1/proactive-cases/<int:pk>/tickets/", api.CaseTicketsView.as_view(), name="api-proactive-case-tickets"),
    path("api/v1/proactive-cases/<int:pk>/close/", api.CaseCloseView.as_view(), name="api-proactive-case-close"),
]
