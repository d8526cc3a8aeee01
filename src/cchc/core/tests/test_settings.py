import importlib

import pytest
from django.core.exceptions import ImproperlyConfigured

from cchc.lib import env


def test_production_hashes_passwords_with_argon2():
    settings_module = importlib.import_module("cchc.settings")
    assert settings_module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_vietnamese_is_the_default_language():
    settings_module = importlib.import_module("cchc.settings")
    assert settings_module.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings_module.LANGUAGES] == ["vi", "en"]
    assert settings_module.TIME_ZONE == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), ("TRUE", True)])
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("CCHC_X", raw)
    assert env.env_bool("CCHC_X", not expected) is expected


def test_env_values_are_parsed_strictly(monkeypatch):
    monkeypatch.setenv("CCHC_X", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env.env_bool("CCHC_X", False)
    monkeypatch.setenv("CCHC_X", "7,x")
    with pytest.raises(ImproperlyConfigured):
        env.env_int_list("CCHC_X", [1])
    monkeypatch.setenv("CCHC_X", "7, 1")
    assert env.env_int_list("CCHC_X", []) == [7, 1]
    monkeypatch.delenv("CCHC_X")
    with pytest.raises(ImproperlyConfigured):
        env.env_str("CCHC_X")
