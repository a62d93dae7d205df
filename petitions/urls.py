"""URL routes of the petition pages."""

from django.urls import path

from petitions.views import documents, files, intake, items, particulars, petitioners, public, receipt, search

app_name = "petitions"

urlpatterns = [
    path("new/visit/", intake.intake, {"channel": "visit"}, name="intake_visit"),
    path("new/letter/", intake.intake, {"channel": "letter"}, name="intake_letter"),
    path("new/phone/", intake.intake, {"channel": "phone"}, name="intake_phone"),
    path("new/online/", intake.intake, {"channel": "online"}, name="intake_online"),
    path("new/mailbox/", intake.intake, {"channel": "mailbox"}, name="intake_mailbox"),
    path("new/<str:channel>/", intake.intake, name="intake"),
    path("new-suggestions/", intake.intake_suggestions, name="intake_suggestions"),
    path("", items.item_list, name="item_list"),
    path("search/", search.item_search, name="item_search"),
    path("<int:item_id>/", items.item_detail, name="item_detail"),
    path("<int:item_id>/steps/<str:action>/", items.item_step, name="item_step"),
    path("<int:item_id>/receipt/", receipt.item_receipt, name="item_receipt"),
    path("<int:item_id>/documents/<int:document_id>/", documents.document_print, name="document_print"),
    path(
        "<int:item_id>/documents/<int:document_id>/delivery/",
        documents.document_delivery,
        name="document_delivery",
    ),
    path("<int:item_id>/attachments/", files.attachment_upload, name="attachment_upload"),
    path(
        "<int:item_id>/attachments/<int:attachment_id>/",
        files.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:item_id>/petitioners/<int:petitioner_id>/reveal/<str:field>/",
        files.reveal,
        name="reveal",
    ),
    path(
        "<int:item_id>/petitioners/<int:petitioner_id>/correct/",
        particulars.petitioner_correct,
        name="petitioner_correct",
    ),
    path("petitioners/<int:petitioner_id>/", petitioners.petitioner_file, name="petitioner_file"),
    path("repeat-petitioners/", petitioners.repeat_register_page, name="repeat_register"),
    path("repeat-petitioners/export/", petitioners.repeat_register_export, name="repeat_register_export"),
]

public_urlpatterns = [path("query/", public.public_query, name="public_query")]
