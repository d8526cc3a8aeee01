"""Structured API errors: ``{"error": {"code", "message", "fields"}}`` for every failure."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cchc.plans.services import StaleVersion


def _fields_of(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _flat_fields(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's error detail as ``{field: [message, …]}``: nested serializers, list items and
    dictionary values become dotted keys (``items.0.code``), so that every error matches the
    documented ``Error`` shape (a body that is not an object gives ``non_field_errors``)."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            flat.update(_flat_fields(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(data, list | tuple) and any(isinstance(item, dict | list) for item in data):
        flat = {}
        for index, item in enumerate(data):
            if item:
                flat.update(_flat_fields(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = data if isinstance(data, list | tuple) else [data]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(
            {
                "error": {
                    "code": "invalid",
                    "message": _("The request has invalid fields."),
                    "fields": _fields_of(exc),
                }
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, StaleVersion):
        return Response(
            {
                "error": {
                    "code": "conflict",
                    "message": str(exc),
                    "current_version": exc.current_version,
                }
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404):
        exc_response = Response(
            {"error": {"code": "not_found", "message": _("Not found.")}},
            status=status.HTTP_404_NOT_FOUND,
        )
        return exc_response
    if isinstance(exc, PermissionDenied):
        return Response(
            {
                "error": {
                    "code": "forbidden",
                    "message": _("You do not have permission to do this."),
                }
            },
            status=status.HTTP_403_FORBIDDEN,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("The request has invalid fields."),
            "fields": _flat_fields(data),
        }
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": str(code), "message": str(detail)}
    response.data = {"error": body}
    return response
