"""Item labels of Vietnamese administrative documents.

Sub-items are lettered in the Vietnamese alphabet order without f, j, w, z:
``a) b) c) d) đ) e) g) h) i) k) l) m) n) o) p) q) r) s) t) u) v) x) y)`` (DESIGN.md §1).
"""

LETTERS = (
    "a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m",
    "n", "o", "p", "q", "r", "s", "t", "u", "v", "x", "y",
)  # fmt: skip


def label_for(index: int) -> str:
    """The label of the ``index``-th item (0-based); after ``y`` the letters repeat doubled
    (``aa``, ``bb`` …), the way long lists are continued in practice."""
    if index < 0:
        raise ValueError("index must be >= 0")
    round_, pos = divmod(index, len(LETTERS))
    return LETTERS[pos] * (round_ + 1)


def index_of(label: str) -> int:
    """Inverse of :func:`label_for`; raises ValueError for a label that is not one."""
    label = label.strip().lower()
    if not label or len(set(label)) != 1 or label[0] not in LETTERS:
        raise ValueError(f"not a Vietnamese item label: {label!r}")
    return (len(label) - 1) * len(LETTERS) + LETTERS.index(label[0])
