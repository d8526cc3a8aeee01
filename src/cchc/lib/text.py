"""Checks for text typed by the public: normalised to NFC, no markup, no control characters.

Text from citizens is shown to civil servants and, once published, to everyone; refusing markup
at the door (rather than only escaping it on output) keeps stored data plain and exports safe.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What a browser would read as markup: a tag opening (<a, </p, <!DOCTYPE, <?xml), a comment
# (<!--) or a character reference (&#60; &lt;). "a < b" and "3 > 2" stay plain text.
_MARKUP = re.compile(r"<[/!?]?[A-Za-z]|<!--|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]{2,8});")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: str) -> str:
    """NFC, line ends unified, outer whitespace removed."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def contains_markup(value: str) -> bool:
    return bool(_MARKUP.search(value))


def validate_plain_text(value: str) -> None:
    """Django validator: no HTML or other markup, no control characters."""
    if contains_markup(value):
        raise ValidationError(
            _("Please write plain text: HTML tags and code are not accepted."), code="markup"
        )
    if _CONTROL.search(value):
        raise ValidationError(
            _("The text contains characters that are not allowed."), code="control"
        )
