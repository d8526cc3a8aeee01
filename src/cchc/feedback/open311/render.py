"""Open311 GeoReport v2 bodies in JSON and XML, with the spec's element names.

A payload is a list of flat dicts (``services``, ``service_requests``, ``errors``) or one dict
(``service_definition``). In XML a list becomes a parent element whose children take the
singular name the spec gives them (``<services><service>``, ``<service_requests><request>``,
``<attributes><attribute>``); ``None`` becomes an empty element, booleans ``true``/``false``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}
# The element of each item of a list, by the list's element (GeoReport v2).
ITEM_ELEMENT = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}
# Characters that XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class Open311Error(Exception):
    """An answer with an error body: ``status`` and one description per problem."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(status, descriptions)
        self.status = status
        self.descriptions = [str(d) for d in descriptions] or [""]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _element(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    _fill(element, name, value)


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _element(element, ITEM_ELEMENT[name], item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _element(element, key, item)
    else:
        element.text = _text(value)


def to_xml(root: str, payload: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, root, payload)
    body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()


def to_json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def render(fmt: str, root: str, payload: Any, *, status: int = 200) -> HttpResponse:
    body = to_xml(root, payload) if fmt == "xml" else to_json(payload)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    """``[{"code": 400, "description": "…"}]`` or ``<errors><error><code/><description/>…``."""
    payload = [{"code": error.status, "description": text} for text in error.descriptions]
    return render(fmt, "errors", payload, status=error.status)
