"""API routes of petitions."""

from rest_framework.routers import SimpleRouter

from petitions.api.petitioners import PetitionerViewSet
from petitions.api.views import ItemViewSet

router = SimpleRouter()
router.register("petitions", ItemViewSet, basename="petition")
router.register("petitioners", PetitionerViewSet, basename="petitioner")

urlpatterns = router.urls
