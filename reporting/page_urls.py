from django.urls import path

from reporting import pages

urlpatterns = [
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("dashboard/tickets/", pages.drilldown, name="drilldown"),
    path("tonight/", pages.tonight, name="tonight"),
    path("reports/", pages.reports, name="reports"),
    path("map/", pages.ticket_map_page, name="ticket-map"),
    path("map/data/", pages.ticket_map_data, name="ticket-map-data"),
    path("reports/ranking/", pages.ranking, name="report-ranking"),
    path("reports/weekly/", pages.weekly, name="report-weekly"),
    path("reports/monthly/", pages.monthly, name="report-monthly"),
    path("reports/run/<str:job>/", pages.run_job, name="report-run"),
]
