"""API routes of core."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from core.api import views

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")
router.register("calendar/years", views.CalendarYearViewSet, basename="calendar-year")
router.register("calendar/days", views.CalendarDayViewSet, basename="calendar-day")
router.register("divisions", views.DivisionViewSet, basename="division")

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/queue/", views.my_queue, name="me-queue"),
    path("calendar/due/", views.calendar_due, name="calendar-due"),
    path("", include(router.urls)),
]
