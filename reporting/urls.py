from django.urls import path

from reporting import views

urlpatterns = [
    path("report/public/", views.public_report, name="public_report"),
]
