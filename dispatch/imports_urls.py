from django.urls import path

from dispatch.imports_api import VisitImportView

urlpatterns = [
    path("api/v1/imports/visits/", VisitImportView.as_view(), name="import-visits"),
]
