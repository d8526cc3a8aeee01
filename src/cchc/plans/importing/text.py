"""Text normalisation for plan documents.

Plans arrive typed in Word, pasted from PDFs (decomposed diacritics, odd spaces), saved on
Windows (CRLF, a byte-order mark) or converted from old TCVN3 fonts (an Icelandic "Ð" for "Đ").
:func:`normalise` turns all of that into one canonical NFC text with LF line ends, so that the
parser sees the same lines whatever the source; :func:`fold` gives a loose, accent-free form for
matching headings ("NỘI DUNG, NHIỆM VỤ" ~ "Nội dung nhiệm vụ" ~ "noi dung nhiem vu").
"""

from __future__ import annotations

import re
import unicodedata

# Spaces that are not U+0020: no-break, figure, narrow no-break, thin, en/em spaces …
_ODD_SPACES = dict.fromkeys(
    map(ord, "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
             "\u202f\u205f\u3000\t"),
    " ",
)  # fmt: skip
# Characters that carry nothing: zero-width spaces and joiners, word joiner, soft hyphen, BOM.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\u00ad\ufeff"), None)
# Line separators of every kind become LF (Word's vertical tab is its soft line break).
_LINE_BREAKS = dict.fromkeys(map(ord, "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), "\n")
# TCVN3/VNI conversions often leave the Icelandic eth where the Vietnamese đ belongs.
_LOOKALIKES = {ord("\u00d0"): "\u0110", ord("\u00f0"): "\u0111"}

_TABLE = {**_ODD_SPACES, **_INVISIBLE, **_LINE_BREAKS, **_LOOKALIKES}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SPACES = re.compile(r" {2,}")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """The canonical form of a plan's text: NFC, LF line ends, single spaces, no invisible
    characters, no trailing spaces, at most one blank line in a row, no leading/trailing blank
    lines. Idempotent."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_TABLE)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")


def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[:1] or char
    if unicodedata.combining(base):
        return char
    return base.lower()[:1]


class _FoldTable(dict):
    """``str.translate`` table filled on first use of each character."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold_chars(text: str) -> str:
    """Lowercase, accent-free copy of ``text`` **of the same length** (one character for one), so
    that a match found in the folded text can be cut out of the original at the same offsets.
    Expects NFC text (what :func:`normalise` returns)."""
    return text.translate(_FOLD_TABLE)


def fold(text: str) -> str:
    """Loose form for matching: lowercase, no diacritics (đ → d), single spaces, stripped."""
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("đ", "d").replace("Đ", "d").replace("\u0111", "d")
    return " ".join(text.lower().split())


_PUNCT = re.compile(r"[^\w\s]+")


def fold_words(text: str) -> str:
    """:func:`fold` without punctuation: "NỘI DUNG, NHIỆM VỤ:" → "noi dung nhiem vu"."""
    return " ".join(_PUNCT.sub(" ", fold(text)).split())


def is_upper_text(text: str) -> bool:
    """True when the letters of ``text`` are (almost) all capitals: agency names, headings."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper >= 0.85 * len(letters)
