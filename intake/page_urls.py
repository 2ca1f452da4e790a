from django.urls import path

from intake import pages

urlpatterns = [
    path("categories/new/", pages.new_categories, name="categories-new"),
    path("categories/<int:pk>/confirm/", pages.confirm_category, name="category-confirm"),
    path("categories/<int:pk>/map/", pages.map_category, name="category-map"),
]
