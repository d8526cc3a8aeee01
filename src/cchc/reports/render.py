"""One entry point for the formats of a periodic report: DOCX, XLSX and PDF (the DOCX converted
by LibreOffice headless when it is installed)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from cchc.reports.docx_render import render_docx
from cchc.reports.xlsx_render import render_xlsx

FORMATS = ("docx", "xlsx", "pdf")
PDF_TIMEOUT_SECONDS = 180


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed (the message is shown to people)."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes) -> bytes:
    binary = soffice()
    if binary is None:
        raise PdfUnavailable(
            _(
                "PDF needs LibreOffice, which is not installed on this server "
                "(apt install libreoffice-writer-nogui)."
            )
        )
    with tempfile.TemporaryDirectory(prefix="cchc-report-") as folder:
        source = Path(folder) / "report.docx"
        source.write_bytes(docx)
        # A profile of its own, so a LibreOffice already running for someone else does not
        # swallow the conversion.
        profile = Path(folder) / "profile"
        subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=PDF_TIMEOUT_SECONDS,
        )
        target = Path(folder) / "report.pdf"
        if not target.exists():
            raise PdfUnavailable(_("LibreOffice did not produce a PDF."))
        return target.read_bytes()


def render(
    snapshot: dict[str, Any], fmt: str, narrative: dict[str, str] | None = None, **options: Any
) -> bytes:
    if fmt == "docx":
        return render_docx(snapshot, narrative, **options)
    if fmt == "xlsx":
        return render_xlsx(snapshot)
    if fmt == "pdf":
        return docx_to_pdf(render_docx(snapshot, narrative, **options))
    raise ValueError(_("Unknown format %(format)s.") % {"format": fmt})
