"""API routes of petitions."""

from rest_framework.routers import SimpleRouter

from petitions.api.views import ItemViewSet

router = SimpleRouter()
router.register("petitions", ItemViewSet, basename="petition")

urlpatterns = router.urls
