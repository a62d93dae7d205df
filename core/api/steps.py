"""One POST action per state change: validate the body, call one service, answer with the object or 204."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.http import api_user
from core.models import User

Perform = Callable[[User, Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class StepEndpoints:
    """What every step action of one viewset shares.

    `load(user, pk)` reads the object through a scoped selector (404 outside the caller's units); when a step moved
    the object out of the caller's units (`still_visible` is false) the answer is 204, otherwise
    `respond(viewset, user, obj)`. `doc` is each action's description, with `{url_path}` filled in.
    """

    detail_serializer: type[serializers.Serializer[Any]]
    load: Callable[[User, int], Any]
    still_visible: Callable[[User, Any], bool]
    respond: Callable[[Any, User, Any], Response]
    doc: str

    def action(
        self, url_path: str, request_serializer: type[serializers.Serializer[Any]], perform: Perform
    ) -> Any:
        """A detail POST action routed at `url_path`: validate the body, then `perform(user, obj, data)`. Bind it
        to the attribute `attribute(url_path)` names: DRF routes an action by the name it is bound to."""

        def step(viewset: Any, request: Request, pk: str | None = None) -> Response:
            user = api_user(request)
            target = self.load(user, int(pk or 0))
            body = request_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            perform(user, target, dict(body.validated_data))
            if not self.still_visible(user, target):
                return Response(status=status.HTTP_204_NO_CONTENT)
            return self.respond(viewset, user, target)

        step.__name__ = self.attribute(url_path)
        step.__doc__ = self.doc.format(url_path=url_path)
        # @action replaces the function's kwargs, so extend_schema must come after it or its schema is lost.
        routed = action(detail=True, methods=["post"], url_path=url_path, url_name=url_path)(step)
        return extend_schema(request=request_serializer, responses={200: self.detail_serializer, 204: None})(
            routed
        )

    @staticmethod
    def attribute(url_path: str) -> str:
        """The viewset attribute an action at `url_path` is bound to (`request-review` as `request_review`, the
        builtin-shadowing `object` as `object_`)."""
        name = url_path.replace("-", "_")
        return f"{name}_" if name == "object" else name
