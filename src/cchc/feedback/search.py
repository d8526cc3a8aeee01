"""Search over published answers, insensitive to case and diacritics ("thu tuc" finds "thủ tục")."""

from __future__ import annotations

from django.db.models import QuerySet

from cchc.feedback.models import Feedback
from cchc.plans.importing.text import fold_words

MAX_WORDS = 8


def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), no punctuation, single spaces."""
    return fold_words(text or "")


def search_text_of(public_summary: str, answer: str) -> str:
    """What ``Feedback.search_text`` holds for a published answer."""
    return fold(f"{public_summary}\n{answer}")


def matching(queryset: QuerySet[Feedback], query: str) -> QuerySet[Feedback]:
    """Items whose folded text holds every word of ``query`` (at most ``MAX_WORDS`` words)."""
    for word in fold(query).split()[:MAX_WORDS]:
        queryset = queryset.filter(search_text__contains=word)
    return queryset
