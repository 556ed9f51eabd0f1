from django.urls import path

from . import api, views

urlpatterns = [
    path("cari/", views.search_page, name="search"),
    path("api/v1/search/", api.search, name="api-search"),
    path("api/v1/suggest/", api.suggest, name="api-suggest"),
    path("api/v1/openapi.json", api.openapi, name="api-openapi"),
]
