from hypothesis import given
from hypothesis import strategies as st

from cchc.lib.vn_alphabet import LETTERS, index_of, label_for


def test_vietnamese_order_skips_f_j_w_z():
    assert [label_for(i) for i in range(7)] == ["a", "b", "c", "d", "đ", "e", "g"]
    assert not {"f", "j", "w", "z"} & set(LETTERS)
    assert label_for(22) == "y"
    assert label_for(23) == "aa"


@given(st.integers(min_value=0, max_value=10_000))
def test_label_round_trip(index):
    assert index_of(label_for(index)) == index


@given(st.integers(min_value=0, max_value=500))
def test_labels_sort_in_document_order(index):
    assert index_of(label_for(index)) < index_of(label_for(index + 1))
