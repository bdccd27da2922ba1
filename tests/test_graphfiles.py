"""graph.json's values are laid out by kgraph itself, faster than Python's json: the same text, for any value."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.export.graphfiles import _dump, _printable

from test_properties import NAME

SCALARS = st.one_of(NAME, st.integers(), st.floats(), st.booleans(), st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                       st.dictionaries(NAME, inner, max_size=4)), max_leaves=20)


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(value=VALUES, level=st.integers(min_value=0, max_value=3))
def test_each_value_is_written_as_json_writes_it_once_printable(value, level):
    expected = json.dumps(_printable(value), ensure_ascii=False, sort_keys=True, indent=1)
    assert _dump(value, level) == expected.replace("\n", "\n" + " " * level)


@pytest.mark.parametrize("value", [{1: "a", "b": 2}, {"a": {1, 2}}])
def test_what_json_cannot_write_fails_as_in_json(value):
    with pytest.raises(TypeError) as expected:
        json.dumps(value, sort_keys=True, indent=1)
    with pytest.raises(TypeError, match=re.escape(str(expected.value))):
        _dump(value, 1)
