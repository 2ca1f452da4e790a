from django.urls import path

from org import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("geography/", views.geography, name="geography"),
    path("geography/street.geojson", views.street_geojson, name="street-geojson"),
]
