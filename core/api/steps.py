"""One POST action per state change: validate the body, call one service, answer with the object or 204."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.http import api_user
from core.models import User


def step_action(
    *,
    url_path: str,
    name: str,
    doc: str,
    request_serializer: type[serializers.Serializer[Any]],
    detail_serializer: type[serializers.Serializer[Any]],
    load: Callable[[User, int], Any],
    split: Callable[[dict[str, Any]], dict[str, Any]],
    perform: Callable[[User, Any, dict[str, Any], dict[str, Any]], Any],
    still_visible: Callable[[User, Any], bool],
    respond: Callable[[Any, User, Any], Response],
) -> Any:
    """Build a detail POST action routed at `url_path` and bound to the attribute `name`.

    `load` reads the object through a scoped selector (404 outside the caller's units); `split` pops the
    fields every step shares (date, version) into the service's keyword arguments; `perform(user, obj, data,
    kwargs)` calls the service; when the step moved the object out of the caller's units the answer is 204,
    otherwise `respond(viewset, user, obj)`.
    """

    def step(self: Any, request: Request, pk: str | None = None) -> Response:
        user = api_user(request)
        target = load(user, int(pk or 0))
        body = request_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        perform(user, target, data, split(data))
        if not still_visible(user, target):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return respond(self, user, target)

    step.__name__ = name  # DRF routes an action by the name of the attribute it is bound to
    step.__doc__ = doc
    # @action replaces the function's kwargs, so extend_schema must come after it or its schema is lost.
    routed = action(detail=True, methods=["post"], url_path=url_path, url_name=url_path)(step)
    return extend_schema(request=request_serializer, responses={200: detail_serializer, 204: None})(routed)
