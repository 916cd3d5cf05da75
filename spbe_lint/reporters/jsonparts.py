"""JSON documents written in pieces: the bytes of ``json.dumps(document,
ensure_ascii=False, indent=2)``, without the whole document in memory.

A report's findings are most of its JSON (70 MB for 300 manifests): made as
one dict tree and then one string, they take several times that at once. Here
the parts that grow with the run are ``Lazy`` lists, encoded element by
element as they are made, inside ``Parts`` dicts, encoded member by member;
everything else goes through ``json.dumps`` as before, its lines indented to
where it stands. ``plain`` turns such a document back into dicts and lists
(a signature is made over those).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

_SPACE = "  "  # indent=2


class Lazy:
    """A list whose elements are made while it is written (iterated once)."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


class Parts(dict):  # type: ignore[type-arg]
    """A dict holding Lazy lists (directly, or in Parts or Lazy within)."""


def chunks(document: Any) -> Iterator[str]:
    """The pieces of ``json.dumps(plain(document), ensure_ascii=False,
    indent=2) + "\\n"``, in order."""
    yield from _encode(document, 0)
    yield "\n"


def _encode(value: Any, level: int) -> Iterator[str]:
    """*value* standing at *level* (its closing bracket's indentation)."""
    if isinstance(value, Lazy):
        yield from _sequence(value.items, level, "[", "]", _item)
    elif isinstance(value, Parts):
        yield from _sequence(value.items(), level, "{", "}", _member)
    else:
        text = json.dumps(value, ensure_ascii=False, indent=2)
        yield text.replace("\n", "\n" + _SPACE * level) if level else text


def _item(value: Any, level: int) -> Iterator[str]:
    return _encode(value, level)


def _member(pair: tuple[str, Any], level: int) -> Iterator[str]:
    key, value = pair
    yield json.dumps(key, ensure_ascii=False) + ": "
    yield from _encode(value, level)


def _sequence(
    items: Iterable[Any], level: int, opening: str, closing: str, encode: Any
) -> Iterator[str]:
    inner = "\n" + _SPACE * (level + 1)
    first = True
    for item in items:
        yield (opening if first else ",") + inner
        first = False
        yield from encode(item, level + 1)
    if first:  # json.dumps writes an empty one on one line
        yield opening + closing
    else:
        yield "\n" + _SPACE * level + closing


def plain(document: Any) -> Any:
    """*document* with its Lazy lists made and Parts as plain dicts."""
    if isinstance(document, Lazy):
        return [plain(item) for item in document.items]
    if isinstance(document, Parts):
        return {key: plain(value) for key, value in document.items()}
    return document
