"""URL routes of the ledger pages: key cases, screening, sensitive periods, Excel export and import."""

from django.urls import URLPattern, path

from ledger.views import excel, keycases, screening, sensitive

app_name = "ledger"

urlpatterns: list[URLPattern] = [
    # --- pages ---
    path("", keycases.case_list, name="case_list"),
    path("new/", keycases.case_create, name="case_create"),
    path("bulk/", keycases.case_bulk, name="case_bulk"),
    path("mine/", keycases.my_cases, name="my_cases"),
    path("<int:case_id>/", keycases.case_detail, name="case_detail"),
    path("<int:case_id>/do/<str:action>/", keycases.case_action, name="case_action"),
    path("screening/", screening.round_list, name="round_list"),
    path("screening/<int:round_id>/", screening.round_detail, name="round_detail"),
    path("screening/reports/<int:report_id>/", screening.report_file, name="report_file"),
    path("screening/findings/", screening.finding_list, name="finding_list"),
    path(
        "screening/findings/<int:finding_id>/promote/", screening.finding_promote_page, name="finding_promote"
    ),
    path("periods/", sensitive.period_list, name="period_list"),
    path("periods/new/", sensitive.period_create, name="period_create"),
    path("periods/<int:period_id>/", sensitive.period_detail, name="period_detail"),
    path("periods/<int:period_id>/end/", sensitive.period_end, name="period_end"),
    path("periods/daily/<int:report_id>/", sensitive.daily_file, name="daily_file"),
    # --- Excel ---
    path("export/", excel.ledger_export, name="export"),
    path("import/", excel.ledger_import, name="import"),
    path("import/template/", excel.import_template, name="import_template"),
    path("import/<str:token>/", excel.import_preview, name="import_preview"),
]
