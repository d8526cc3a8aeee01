"""Serving stored files to people allowed to read them."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def attachment_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """Always a download, never rendered inline from the app's origin: a file that pretends to
    be HTML or a PDF with scripts cannot run in the site's context."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
