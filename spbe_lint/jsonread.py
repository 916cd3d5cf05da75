"""The one bounded JSON reader: every JSON spbe-lint reads goes through ``loads``.

Saved reports, baselines, audit results lines, OpenAPI documents (submitted or
fetched), the SSO discovery document and its JWKS: each may come from someone
hostile or broken. ``loads`` refuses, with a line and column:

- more bytes than the caller allows (the reader of a file refuses earlier,
  without reading it; this guards bytes that came some other way);
- nesting deeper than ``max_depth`` (the C parser would otherwise recurse until
  RecursionError on ``[`` repeated 200,000 times);
- a key written twice in one object (a first-wins or last-wins parser would see
  another document than a person reading it: a signed report with a second,
  empty ``findings`` would verify as clean).

The common case stays on the C parser: depth is counted on the brackets outside
strings before parsing, duplicates are noticed by a hook; only when one is found
does a slower pass work out where it is.
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

from spbe_lint.i18n import LocalText

MAX_DEPTH = 128  # spbe-lint's own files nest about ten levels, OpenAPI a few dozen

# A string, or an unterminated one to the end of the text: matching every quote
# keeps the scan linear (a failed match would be retried from each later quote).
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)'
_STRINGS = re.compile(_STRING, re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_TOKENS = re.compile(_STRING + r"|[\[\]{}:,]", re.DOTALL)
# Openers become +1 and closers -1 as signed bytes: their running sum is the depth.
_SIGNS = str.maketrans({"[": "\x01", "{": "\x01", "]": "\xff", "}": "\xff"})


class JsonProblem(Exception):
    """Why a text is not JSON spbe-lint will read, and where (1-based).

    ``kind`` is ``size``, ``depth``, ``encoding``, ``syntax`` or ``duplicate``;
    ``limit`` is True for the first two: the text broke a limit rather than
    JSON's grammar, which for something fetched means "could not judge" rather
    than "broken"."""

    def __init__(
        self,
        message: LocalText,
        line: int | None = None,
        column: int | None = None,
        *,
        kind: str,
    ) -> None:
        super().__init__(message.en)
        self.message = message
        self.line = line
        self.column = column
        self.kind = kind

    @property
    def limit(self) -> bool:
        return self.kind in ("size", "depth")

    def where(self) -> str:
        """``line L, column C`` (or nothing), for messages that quote the problem."""
        if self.line is None:
            return ""
        return f"line {self.line}, column {self.column}"

    def short(self) -> str:
        """The problem in one English line with its place: for probe evidence."""
        where = self.where()
        return f"{self.message.en} ({where})" if where else self.message.en


def loads(data: bytes | str, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in *data*, or a JsonProblem."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8"))
    if size > max_bytes:
        raise JsonProblem(too_large(size, max_bytes), kind="size")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            prefix = data[: exc.start].decode("utf-8", "replace")
            line, column = position(prefix, len(prefix))
            raise JsonProblem(
                LocalText("bukan teks UTF-8", "not UTF-8 text"),
                line,
                column,
                kind="encoding",
            ) from None
    else:
        text = data
    if _depth(text) > max_depth:
        line, column = _too_deep_at(text, max_depth)
        raise JsonProblem(
            LocalText(
                f"struktur bersarang terlalu dalam (batas {max_depth} tingkat)",
                f"nesting too deep (the limit is {max_depth} levels)",
            ),
            line,
            column,
            kind="depth",
        )
    try:
        return json.loads(text, object_pairs_hook=_unique)
    except _Duplicate:
        key, line, column = _duplicate_at(text)
        raise JsonProblem(
            LocalText(
                f"kunci {key!r} ditulis dua kali dalam satu objek",
                f"key {key!r} appears twice in one object",
            ),
            line,
            column,
            kind="duplicate",
        ) from None
    except json.JSONDecodeError as exc:
        raise JsonProblem(
            LocalText(f"bukan JSON: {exc.msg}", f"not JSON: {exc.msg}"),
            exc.lineno,
            exc.colno,
            kind="syntax",
        ) from None
    except ValueError:  # an integer of more than 4,300 digits (Python's own limit)
        line, column = _long_number_at(text)
        raise JsonProblem(
            LocalText(
                "angka terlalu panjang (lebih dari 4300 digit)",
                "a number too long (more than 4300 digits)",
            ),
            line,
            column,
            kind="syntax",
        ) from None
    except RecursionError:  # not reached: the depth was counted above
        raise JsonProblem(
            LocalText("struktur bersarang terlalu dalam", "nesting too deep"),
            kind="depth",
        ) from None


def too_large(size: int, limit: int) -> LocalText:
    shown = human_size(limit)
    return LocalText(
        f"terlalu besar ({size} byte; batasnya {shown})",
        f"too large ({size} bytes; the limit is {shown})",
    )


def human_size(count: int) -> str:
    """1048576 -> ``1 MiB``; 262144 -> ``256 KiB``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character *offset* in *text*."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


class _Duplicate(Exception):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


def _depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (C speed: no per-character
    Python loop). Unbalanced text still gives its deepest running count."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    if not brackets:
        return 0
    signs = array("b", brackets.translate(_SIGNS).encode("latin-1"))
    return max(accumulate(signs))


def _long_number_at(text: str) -> tuple[int, int]:
    """Where the first number of more than 4,300 digits is, outside strings."""
    stripped = _STRINGS.sub(lambda m: " " * len(m.group()), text)
    found = re.search(r"[0-9]{4301,}", stripped)
    return position(text, found.start()) if found else (1, 1)


def _too_deep_at(text: str, max_depth: int) -> tuple[int, int]:
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return position(text, match.start())
        elif token in "]}":
            depth -= 1
    return 1, 1


def _duplicate_at(text: str) -> tuple[str, int, int]:
    """The first key written twice in one object, in reading order, and where.
    Only called once the fast parse found one: this walks every token."""
    stack: list[set[str] | None] = []  # per open bracket: keys seen, or None (list)
    expecting_key = False
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token == "{":
            stack.append(set())
            expecting_key = True
        elif token == "[":
            stack.append(None)
            expecting_key = False
        elif token in "]}":
            if stack:
                stack.pop()
            expecting_key = False
        elif token == ",":
            expecting_key = bool(stack) and stack[-1] is not None
        elif token == ":":
            expecting_key = False
        elif expecting_key and stack and stack[-1] is not None:
            key = json.loads(token)
            if key in stack[-1]:
                line, column = position(text, match.start())
                return key, line, column
            stack[-1].add(key)
            expecting_key = False
    return "?", 1, 1
