"""Routes of the accountability API under /api/v1/accountability/."""

from rest_framework.routers import SimpleRouter

from accountability.api.views import AccountabilityRecordViewSet, CircularViewSet, SupervisionOrderViewSet

router = SimpleRouter()
router.register("supervision-orders", SupervisionOrderViewSet, basename="accountability-supervision-order")
router.register("circulars", CircularViewSet, basename="accountability-circular")
router.register("records", AccountabilityRecordViewSet, basename="accountability-record")

urlpatterns = router.urls
