"""URL routes of the leaders' pages: the dashboard and the weekly bulletin."""

from django.urls import URLPattern, URLResolver, include, path

from dashboard.views import overview

app_name = "dashboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", overview.dashboard_page, name="overview"),
    path("bulletins/", include("dashboard.bulletin_urls")),
]
