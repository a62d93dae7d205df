"""Top-level URL routes: pages of each app, the admin site, the API and its documentation."""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.admin import admin_site
from core.views.health import healthz
from petitions.urls import public_urlpatterns

api_v1: list[URLPattern | URLResolver] = [
    path("", include("core.api.urls")),
    path("", include("petitions.api.urls")),
    path("ledger/", include("ledger.api.urls")),
    path("accountability/", include("accountability.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("core.urls")),
    path("petitions/", include("petitions.urls")),
    path("ledger/", include("ledger.urls")),
    path("accountability/", include("accountability.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("", include((public_urlpatterns, "public"))),
    path("admin/", admin_site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("healthz", healthz, name="healthz"),
]
