import polib

from cchc.lib.i18n import problems_in


def test_catalogue_check_finds_untranslated_fuzzy_and_decomposed_entries(tmp_path):
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Save", msgstr="Lưu"))
    po.append(polib.POEntry(msgid="Cancel", msgstr=""))
    po.append(polib.POEntry(msgid="Delete", msgstr="Xóa", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Plan", msgstr="Ke\u0302\u0301 hoa\u0323ch"))
    path = tmp_path / "vi" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    po.save(str(path))
    problems = problems_in(path)
    assert problems == [
        "untranslated vi: 'Cancel'",
        "fuzzy vi: 'Delete'",
        "not NFC vi: 'Plan'",
    ]
