"""URL routes of the supervision pages."""

from django.urls import URLPattern, path

from accountability import views

app_name = "accountability"

urlpatterns: list[URLPattern] = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("escalations/<int:escalation_id>/", views.escalation_open, name="escalation_open"),
    path("supervision/", views.supervision_list, name="supervision_list"),
    path("supervision/new/", views.supervision_create, name="supervision_create"),
    path("supervision/<int:order_id>/", views.supervision_detail, name="supervision_detail"),
    path("supervision/<int:order_id>/close/", views.supervision_close_view, name="supervision_close"),
    path("supervision/<int:order_id>/print/", views.supervision_print, name="supervision_print"),
    path("circulars/", views.circular_list, name="circular_list"),
    path("circulars/<int:circular_id>/", views.circular_detail, name="circular_detail"),
    path("records/", views.record_list, name="record_list"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("health/", views.sweep_health_page, name="health"),
    path("ladder/", views.ladder_settings, name="ladder"),
    path("ladder/<int:step_id>/", views.ladder_step_edit, name="ladder_step"),
]
