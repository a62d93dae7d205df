"""Routes of the ledger API under /api/v1/ledger/."""

from rest_framework.routers import SimpleRouter

from ledger.api.views import (
    DailyReportViewSet,
    FindingViewSet,
    KeyCaseViewSet,
    ScreeningReportViewSet,
    ScreeningRoundViewSet,
    SensitivePeriodViewSet,
)

router = SimpleRouter()
router.register("key-cases", KeyCaseViewSet, basename="ledger-keycase")
router.register("screening-rounds", ScreeningRoundViewSet, basename="ledger-screening-round")
router.register("screening-reports", ScreeningReportViewSet, basename="ledger-screening-report")
router.register("findings", FindingViewSet, basename="ledger-finding")
router.register("sensitive-periods", SensitivePeriodViewSet, basename="ledger-sensitive-period")
router.register("daily-reports", DailyReportViewSet, basename="ledger-daily-report")

urlpatterns = router.urls
