"""The database rate limiter and the plain-text check used by the public forms and Open311."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import RequestFactory

from cchc.core.models import RateLimitBucket
from cchc.lib import ratelimit
from cchc.lib.text import contains_markup, plain_text, validate_plain_text

HOUR = dt.timedelta(hours=1)
NOON = dt.datetime(2026, 8, 20, 5, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_the_limit_allows_exactly_limit_hits_per_window():
    results = [ratelimit.hit("t:a", limit=3, window=HOUR, now=NOON) for _ in range(5)]
    assert results == [True, True, True, False, False]
    # The next window starts afresh; another key has its own count.
    assert ratelimit.hit("t:a", limit=3, window=HOUR, now=NOON + HOUR)
    assert ratelimit.hit("t:b", limit=3, window=HOUR, now=NOON)
    assert RateLimitBucket.objects.get(key="t:a", window_start=NOON).count == 5


@pytest.mark.django_db
def test_a_refused_hit_still_counts_when_the_request_rolls_back():
    class Refused(Exception):
        pass

    for _ in range(2):
        with pytest.raises(Refused), transaction.atomic():
            ratelimit.hit("t:c", limit=1, window=HOUR, now=NOON)
            raise Refused
    # A count inside a transaction that rolls back is undone with it: that is why views call
    # the limiter before opening the transaction of their work (see ``hit``).
    assert not RateLimitBucket.objects.filter(key="t:c").exists()
    assert ratelimit.hit("t:c", limit=1, window=HOUR, now=NOON)
    assert not ratelimit.hit("t:c", limit=1, window=HOUR, now=NOON)


@pytest.mark.django_db
def test_addresses_are_stored_hashed_and_per_scope():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    assert ratelimit.request_allowed(request, "form", limit=1, window=HOUR)
    assert not ratelimit.request_allowed(request, "form", limit=1, window=HOUR)
    assert ratelimit.request_allowed(request, "other", limit=1, window=HOUR)
    keys = list(RateLimitBucket.objects.values_list("key", flat=True))
    assert all("203.0.113.7" not in key for key in keys)
    assert {key.split(":")[0] for key in keys} == {"form", "other"}


@pytest.mark.django_db
def test_old_buckets_are_forgotten():
    ratelimit.hit("t:old", limit=1, window=HOUR, now=NOON - dt.timedelta(days=3))
    ratelimit.hit("t:new", limit=1, window=HOUR)
    assert ratelimit.forget_old() == 1
    assert list(RateLimitBucket.objects.values_list("key", flat=True)) == ["t:new"]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Xem <a href='x'>đây</a>",
        "</p>",
        "<!-- comment -->",
        "&#60;script&#62;",
        "&lt;b&gt;",
        "a<b>đậm</b>",
        "<!DOCTYPE html>",
    ],
)
def test_markup_is_refused(text):
    assert contains_markup(text)
    with pytest.raises(ValidationError) as caught:
        validate_plain_text(text)
    assert caught.value.code == "markup"


@pytest.mark.parametrize(
    "text",
    [
        "Thời hạn giải quyết < 15 ngày là hợp lý",
        "Phí 50.000 đồng & lệ phí 10.000 đồng",
        "So sánh a < b và 3 > 2",
        "Tôi cần hỏi về thủ tục cấp giấy phép",
    ],
)
def test_ordinary_text_with_signs_passes(text):
    assert not contains_markup(text)
    validate_plain_text(text)


def test_control_characters_are_refused_and_text_is_normalised():
    with pytest.raises(ValidationError):
        validate_plain_text("abc\x00def")
    decomposed = "Thu\u0309 tu\u0323c\r\n"
    assert plain_text(decomposed) == "Thủ tục"
