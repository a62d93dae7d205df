"""Attachments (download through the item's scope only) and reveals of masked personal data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.http import AuthenticatedRequest
from petitions.forms import intake_files
from petitions.selectors import item_get_for_user
from petitions.services.attachments import attachments_add
from petitions.services.reveal import petitioner_reveal
from petitions.views.items import item_detail_context


@login_required
def attachment_download(request: AuthenticatedRequest, item_id: int, attachment_id: int) -> FileResponse:
    """Serve a file as a download with its proven type; never inline, never sniffed."""
    item = item_get_for_user(request.user, item_id)
    attachment = item.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_upload(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    """Add material to an item."""
    item = item_get_for_user(request.user, item_id)
    try:
        added = attachments_add(actor=request.user, item_id=item.pk, files=intake_files(request.FILES))
    except DomainError as error:
        if error.code == "forbidden":
            messages.error(request, error.message)
            return redirect("petitions:item_detail", item_id=item.pk)
        context = item_detail_context(request, item)
        context["upload_error"] = error.message
        return render(request, "petitions/item_detail.html", context, status=400)
    messages.success(request, _("已上传%(count)s个附件。") % {"count": len(added)})
    return redirect("petitions:item_detail", item_id=item.pk)


@login_required
@require_POST
def reveal(request: AuthenticatedRequest, item_id: int, petitioner_id: int, field: str) -> HttpResponse:
    """The full value of one masked field (htmx swaps it in); the reveal is recorded."""
    item = item_get_for_user(request.user, item_id)
    link = item.item_petitioners.filter(petitioner_id=petitioner_id).first()
    if link is None:
        raise Http404
    try:
        value = petitioner_reveal(actor=request.user, link=link, field=field, item_number=item.number)
    except DomainError as error:
        code = 403 if error.code == "forbidden" else 400
        return render(request, "petitions/_revealed.html", {"error": error.message}, status=code)
    return render(request, "petitions/_revealed.html", {"value": value})
