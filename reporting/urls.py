from django.urls import path

from reporting import open311, views

urlpatterns = [
    path("report/public/", views.public_report, name="public_report"),
    path("open311/v2/services.json", open311.services, name="open311-services"),
    path("open311/v2/requests.json", open311.requests, name="open311-requests"),
    path("open311/v2/requests/<str:service_request_id>.json", open311.single_request, name="open311-request"),
]
