"""Turn domain errors into 400 responses that name the field, like serializer errors do."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ConflictError, DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DomainError → 400 (ConflictError → 409, forbidden → 403) with {field: [message]}."""
    if isinstance(exc, DomainError):
        code: int = status.HTTP_400_BAD_REQUEST
        if isinstance(exc, ConflictError):
            code = status.HTTP_409_CONFLICT
        elif exc.code == "forbidden":
            code = status.HTTP_403_FORBIDDEN
        return Response(exc.as_dict(), status=code)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_404_NOT_FOUND:
        response.data = {"detail": _("未找到。")}
    return response
