from django.urls import path

from reporting import pages, street_settings

urlpatterns = [
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("district/", pages.district, name="district"),
    path("dashboard/tickets/", pages.drilldown, name="drilldown"),
    path("tonight/", pages.tonight, name="tonight"),
    path("reports/", pages.reports, name="reports"),
    path("map/", pages.ticket_map_page, name="ticket-map"),
    path("map/data/", pages.ticket_map_data, name="ticket-map-data"),
    path("reports/ranking/", pages.ranking, name="report-ranking"),
    path("reports/weekly/", pages.weekly, name="report-weekly"),
    path("reports/monthly/", pages.monthly, name="report-monthly"),
    path("reports/run/<str:job>/", pages.run_job, name="report-run"),
    path("settings/", street_settings.street_settings, name="street-settings"),
    path("settings/deadlines/<str:rule>/", street_settings.save_deadline_rule, name="settings-deadline-rule"),
    path(
        "settings/deadlines/<str:rule>/remove/",
        street_settings.remove_deadline_rule,
        name="settings-deadline-rule-remove",
    ),
    path("settings/calendar/", street_settings.save_calendar_override, name="settings-calendar"),
    path(
        "settings/calendar/<int:pk>/remove/",
        street_settings.remove_calendar_override,
        name="settings-calendar-remove",
    ),
    path("settings/scoring/", street_settings.save_scoring_policy, name="settings-scoring-new"),
    path("settings/scoring/<int:pk>/", street_settings.save_scoring_policy, name="settings-scoring"),
    path(
        "settings/scoring/<int:pk>/remove/",
        street_settings.remove_scoring_policy,
        name="settings-scoring-remove",
    ),
    path("settings/sign-off/<str:chain>/", street_settings.save_sign_off_chain, name="settings-sign-off"),
    path(
        "settings/sign-off/<str:chain>/remove/",
        street_settings.remove_sign_off_chain,
        name="settings-sign-off-remove",
    ),
]
