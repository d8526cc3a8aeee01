"""The Vietnamese catalogue: compile it (pure Python, no GNU gettext needed), regenerate it, and
check that nothing is untranslated or fuzzy.

    python -m cchc.lib.i18n compile   # .po -> .mo, run by `make install`
    python -m cchc.lib.i18n update    # makemessages for every language (needs GNU gettext)
    python -m cchc.lib.i18n check     # fails if a source string has no Vietnamese translation
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = PACKAGE_DIR / "locale"
LANGUAGES = ("vi", "en")
DOMAINS = ("django", "djangojs")


def _catalogues(root: Path = LOCALE_DIR) -> list[Path]:
    return sorted(root.glob("*/LC_MESSAGES/*.po"))


def compile_all() -> int:
    for po_path in _catalogues():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return 0


def _makemessages(package_dir: Path) -> None:
    """makemessages over ``package_dir``, writing into its ``locale`` folder. (makemessages
    writes into every "locale" folder it walks past, so a check runs it over a copy.)"""
    env = {**os.environ, "CCHC_LOCALE_DIR": str(package_dir / "locale")}
    args = [
        sys.executable,
        "-m",
        "cchc",
        "makemessages",
        "--no-obsolete",
        "--no-location",
        "--ignore=*/tests/*",
        "--ignore=*/migrations/*",
    ]
    for lang in LANGUAGES:
        args += ["-l", lang]
    subprocess.run(args, cwd=package_dir.parent, env=env, check=True, stdout=subprocess.DEVNULL)


def update() -> int:
    _makemessages(PACKAGE_DIR)
    return compile_all()


def problems_in(po_path: Path) -> list[str]:
    found = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        where = f"{po_path.parent.parent.name}: {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy {where}")
        elif not entry.translated():
            found.append(f"untranslated {where}")
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        if any(t and unicodedata.normalize("NFC", t) != t for t in texts):
            found.append(f"not NFC {where}")
    return found


def check() -> int:
    """Regenerate the catalogue in a scratch copy and check it, leaving the real one untouched."""
    if shutil.which("xgettext") is None:
        message = "GNU gettext (xgettext) is not installed: the catalogue check cannot run."
        if os.environ.get("CCHC_REQUIRE_ALL"):
            print(f"FAIL: {message}", file=sys.stderr)
            return 1
        print(f"SKIPPED: {message} Install the 'gettext' package to run it.")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / PACKAGE_DIR.name
        shutil.copytree(
            PACKAGE_DIR,
            copy,
            ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations", "*.mo"),
        )
        _makemessages(copy)
        problems: list[str] = []
        for po_path in _catalogues(copy / "locale"):
            if po_path.parent.parent.name == "vi":
                problems += problems_in(po_path)
    if problems:
        print(f"The Vietnamese catalogue has {len(problems)} problem(s):", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        print("Run `make messages`, translate, and commit the .po files.", file=sys.stderr)
        return 1
    print("Vietnamese catalogue: complete.")
    return 0


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    commands = {"compile": compile_all, "update": update, "check": check}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
