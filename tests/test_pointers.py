"""JSON Pointers (RFC 6901) as spbe-lint writes them: the fast paths give
exactly what the plain rule gives, for every path a manifest can have."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from spbe_lint import identity
from spbe_lint.pointers import escape, to_pointer

PARTS = st.one_of(st.text(alphabet="ab~/01 ", max_size=4), st.integers(0, 12))


def plain(path: tuple) -> str:
    """RFC 6901 section 5, written out: each part escaped, "/" before each."""
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in path
    )


@given(st.lists(PARTS, max_size=5).map(tuple))
def test_a_pointer_is_the_plain_rules(path):
    assert to_pointer(path) == plain(path)
    assert to_pointer(list(path)) == plain(path)
    assert "".join("/" + escape(part) for part in path) == plain(path)


def test_escapes_and_the_empty_path():
    assert to_pointer(()) == ""
    assert to_pointer(("",)) == "/"
    assert to_pointer(("a/b", "m~n", 0)) == "/a~1b/m~0n/0"
    assert to_pointer(("~1",)) == "/~01"


def _walked(data: object, path: tuple = ()) -> list:
    if isinstance(data, dict):
        return [d for k, v in data.items() for d in _walked(v, (*path, k))]
    if isinstance(data, list):
        return [d for i, v in enumerate(data) for d in _walked(v, (*path, i))]
    return [(plain(path), data)] if path else []


MANIFESTS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(alphabet="ab~/", max_size=3), inner, max_size=3),
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(alphabet="ab~/", max_size=3), MANIFESTS, max_size=3))
def test_declarations_point_at_every_scalar(data):
    assert identity.declarations(data) == tuple(_walked(data))
