"""URL routes of the weekly bulletin (每周通报)."""

from django.urls import URLPattern, path

from dashboard.views import bulletins

urlpatterns: list[URLPattern] = [
    path("", bulletins.bulletin_list, name="bulletin_list"),
    path("generate/", bulletins.bulletin_generate, name="bulletin_generate"),
    path("<int:bulletin_id>/", bulletins.bulletin_detail, name="bulletin_detail"),
    path("<int:bulletin_id>/excel/", bulletins.bulletin_excel, name="bulletin_excel"),
]
