"""Matching the unit names written in a plan's appendix to the agency's units.

Appendices name units the way people write them: "Phòng Hành chính - Tư pháp", "P. HCTP",
"Văn phòng Sở", "VP". A name is matched exactly by code or by its folded form (no case, no
diacritics, no punctuation, single spaces); then, when exactly one unit fits, without a leading
kind word ("Phòng", "Văn phòng", …), by initials ("HCTP") or without a trailing "Sở"; otherwise
the closest names are offered as suggestions and the person chooses.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class UnitLike(Protocol):
    code: str
    name: str


@dataclass
class UnitMatch:
    unit: Any | None  # the matched unit (a ``Unit`` or any object with ``code`` and ``name``)
    suggestions: list[str] = field(default_factory=list)  # names of near misses, best first
    exact: bool = False  # matched by code or by the whole folded name


def fold(text: object) -> str:
    """Lower case, no diacritics (đ → d), whitespace collapsed: "Quý  II" → "quy ii"."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("đ", "d").replace("Đ", "D").lower()
    return " ".join(text.split())


_NON_WORD = re.compile(r"[\W_]+")


def name_key(text: object) -> str:
    """The folded name with punctuation turned into spaces: "P. Hành chính - Tư pháp" →
    "p hanh chinh tu phap"."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


# Words that say what kind of unit it is, longest first; dropped for a second comparison.
_KIND_PREFIXES = (
    "van phong",
    "trung tam",
    "chi cuc",
    "bo phan",
    "don vi",
    "phong",
    "ban",
    "p",
)
# "Văn phòng Sở", "Thanh tra Sở": the agency's own name after the unit's.
_AGENCY_SUFFIXES = ("so", "ubnd", "uy ban", "ubnd xa", "ubnd phuong")


def _strip_prefix(key: str) -> str:
    for prefix in _KIND_PREFIXES:
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
            return key[len(prefix) + 1 :]
    return key


def _strip_suffix(key: str) -> str:
    for suffix in sorted(_AGENCY_SUFFIXES, key=len, reverse=True):
        if key.endswith(" " + suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix) - 1]
    return key


def _variants(key: str) -> set[str]:
    """The key, and the key without its kind word and/or its trailing agency word."""
    return {key, _strip_prefix(key), _strip_suffix(key), _strip_prefix(_strip_suffix(key))}


def _initials(key: str) -> str:
    return "".join(word[0] for word in key.split() if word)


def _unique(candidates: list[Any]) -> Any | None:
    distinct = {id(c): c for c in candidates}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def match_unit(name: str | None, units: Sequence[UnitLike] | Iterable[UnitLike]) -> UnitMatch:
    """The unit that ``name`` designates among ``units``, or suggestions when none fits."""
    units = list(units)
    raw = " ".join(str(name or "").split())
    key = name_key(raw)
    if not key:
        return UnitMatch(None)
    by_code = [u for u in units if (u.code or "").strip().casefold() == raw.casefold()]
    if len(by_code) == 1:
        return UnitMatch(by_code[0], exact=True)
    by_name = [u for u in units if name_key(u.name) == key]
    if by_name:
        if len(by_name) == 1:
            return UnitMatch(by_name[0], exact=True)
        return UnitMatch(None, suggestions=[u.name for u in by_name])

    # Second chance, only when exactly one unit fits: without kind words, by initials.
    wanted = _variants(key)
    loose: list[Any] = []
    for unit in units:
        unit_variants = _variants(name_key(unit.name))
        initials = {_initials(v) for v in unit_variants if " " in v}
        if wanted & unit_variants or any(
            " " not in w and len(w) >= 2 and w in initials for w in wanted
        ):
            loose.append(unit)
    if found := _unique(loose):
        return UnitMatch(found, exact=False)

    return UnitMatch(None, suggestions=suggest_units(raw, units))


def suggest_units(name: str, units: Iterable[UnitLike], *, n: int = 3) -> list[str]:
    """Names of the units closest to ``name`` (difflib ratio ≥ 0.6 on folded names)."""
    units = list(units)
    key = name_key(name)
    if not key:
        return []
    scored: dict[str, float] = {}
    for unit in units:
        unit_key = name_key(unit.name)
        pairs = ((key, unit_key), (_strip_prefix(key), _strip_prefix(unit_key)))
        best = max(difflib.SequenceMatcher(None, a, b).ratio() for a, b in pairs)
        if best >= 0.6:
            scored[unit.name] = max(best, scored.get(unit.name, 0.0))
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    return [name for name, _score in ranked[:n]]


# --- splitting a "đơn vị phối hợp" cell -----------------------------------------------------

# Words that start a unit's name; " và " splits only before one of them, so that "Phòng Tài
# nguyên và Môi trường" stays whole while "Văn phòng và Thanh tra Sở" is two units.
_UNIT_START_WORDS = (
    "van phong",
    "phong",
    "thanh tra",
    "ban",
    "trung tam",
    "chi cuc",
    "so",
    "ubnd",
    "uy ban",
    "bo phan",
    "don vi",
    "cac",
    "cong an",
    "kho bac",
    "cuc",
    "vien",
    "doan",
    "hoi",
)
_HARD_SEPARATORS = re.compile(r"\s*(?:;|\n|\r|\t)\s*")
_SOFT_SEPARATORS = re.compile(r"(\s*,\s*|\s+(?:và|VÀ|Và|va|and)\s+)")
_BULLET = re.compile(r"^[\s\-+•*–—·.]+")


def _starts_unit(fragment: str) -> bool:
    key = name_key(fragment)
    return any(key == w or key.startswith(w + " ") for w in _UNIT_START_WORDS)


def _looks_like_code(fragment: str) -> bool:
    return bool(re.fullmatch(r"[A-ZĐ0-9][A-ZĐ0-9._-]{0,15}", fragment.strip()))


def split_units(text: object, units: Iterable[UnitLike] = ()) -> list[str]:
    """The unit names of a coordinating-units cell: "Văn phòng; Phòng HCTP, Thanh tra Sở" →
    ["Văn phòng", "Phòng HCTP", "Thanh tra Sở"].

    Splits on ";" and line breaks always; on "," unless what follows starts in lower case ("Các
    phòng, đơn vị liên quan"); on " và " only before a unit's kind word. A known unit name that
    contains a separator ("Phòng Kế hoạch, Tài chính") is never split when ``units`` is given.
    """
    if text is None:
        return []
    known = {name_key(u.name) for u in units}
    found: list[str] = []
    for piece in _HARD_SEPARATORS.split(str(text)):
        parts = _SOFT_SEPARATORS.split(piece)
        fragments, separators = parts[0::2], parts[1::2]
        merged: list[str] = []
        i = 0
        while i < len(fragments):
            # The longest run of fragments that is a known unit name wins.
            end = i
            for j in range(len(fragments) - 1, i, -1):
                candidate = fragments[i] + "".join(
                    separators[k] + fragments[k + 1] for k in range(i, j)
                )
                if name_key(candidate) in known:
                    end = j
                    break
            current = fragments[i] + "".join(
                separators[k] + fragments[k + 1] for k in range(i, end)
            )
            if merged and i > 0 and not _split_here(separators[i - 1], fragments[i], known):
                merged[-1] = merged[-1] + separators[i - 1] + current
            else:
                merged.append(current)
            i = end + 1
        for fragment in merged:
            cleaned = _BULLET.sub("", fragment).strip(" .")
            if cleaned:
                found.append(" ".join(cleaned.split()))
    return found


def _split_here(separator: str, following: str, known: set[str]) -> bool:
    following = _BULLET.sub("", following).strip()
    if not following:
        return True
    if name_key(following) in known or _looks_like_code(following):
        return True
    if "," in separator:
        return not following[0].islower()
    return _starts_unit(following)
