from django.urls import path

from org.api import TokenRevokeView, TokenView

urlpatterns = [
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
]
