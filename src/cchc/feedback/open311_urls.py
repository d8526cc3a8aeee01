"""``/open311/v2/``: GeoReport v2 in JSON and XML (``services.json``, ``requests.xml`` …)."""

from django.urls import path, register_converter

from cchc.feedback.open311 import views


class FormatConverter:
    """The output format of a GeoReport resource; any other suffix is not found (404)."""

    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_format")

app_name = "open311"
urlpatterns = [
    path("services.<open311_format:fmt>", views.service_list, name="services"),
    path(
        "services/<slug:code>.<open311_format:fmt>",
        views.service_definition,
        name="service-definition",
    ),
    path("requests.<open311_format:fmt>", views.request_list, name="requests"),
    path("requests/<str:public_id>.<open311_format:fmt>", views.request_detail, name="request"),
    path("tokens/<str:token>.<open311_format:fmt>", views.token_detail, name="token"),
]
