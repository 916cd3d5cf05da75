"""detect-secrets' line loop, with its dependency injection worked out once.

detect-secrets runs every plugin and filter on every line through
``call_function_with_arguments``, which inspects each function and builds its
arguments anew on every call: about a quarter of the scan of a manifest. This
is the same loop as its ``core.scan._process_line_based_plugins`` (the same
plugins and filters, in the same order, given the same arguments, a filter's
``TypeError`` ignored as it ignores it), with each function's arguments chosen
once per scan. A filter that needs an argument the loop never offers at that
stage (``secret`` while lines are filtered) raises ``TypeError`` in
detect-secrets on every call and is skipped there: it is left out here.

It is used only with the detect-secrets version it was written against
(``VERIFIED``); with any other, detect-secrets' own loop runs. Tests compare
the two on every secret fixture and the example submission.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any

VERIFIED = ("1.5.0",)

Lines = list[tuple[int, str]]
Scanner = Callable[[Lines, str], Iterable[Any]]

# What detect-secrets offers a filter at each stage (core.scan).
_LINE = ("filename", "line", "context")
_SECRET = ("filename", "secret", "plugin", "line")
_CONTEXT = ("filename", "secret", "plugin", "line", "context")
_PLUGIN = ("filename", "line", "line_number", "context")


@functools.cache
def scanner() -> Scanner:
    """The line loop for the settings in force (cleared by
    ``detection.settings`` when they change)."""
    from detect_secrets.__version__ import VERSION

    if VERSION not in VERIFIED:
        from detect_secrets.core import scan as ds_scan

        return ds_scan._process_line_based_plugins
    return _Prepared().scan


class _Prepared:
    def __init__(self) -> None:
        from detect_secrets.core.scan import get_filters_with_parameter
        from detect_secrets.settings import get_plugins

        self.plugins = [
            (plugin, plugin.analyze_line, _offered(plugin.analyze_line, _PLUGIN))
            for plugin in get_plugins()
        ]
        self.line_filters = _filters(get_filters_with_parameter("line"), _LINE)
        self.secret_filters = _filters(get_filters_with_parameter("secret"), _SECRET)
        self.context_filters = _filters(get_filters_with_parameter("context"), _CONTEXT)

    def scan(self, lines: Lines, filename: str) -> Iterator[Any]:
        from detect_secrets.util.code_snippet import get_code_snippet

        content = [line[1] for line in lines]
        for number, raw in lines:
            line = raw.rstrip()
            context = get_code_snippet(lines=content, line_number=number)
            given = {"filename": filename, "line": line, "context": context}
            if _filtered(self.line_filters, given):
                continue
            given["line_number"] = number
            for plugin, analyze, names in self.plugins:
                found = analyze(**{name: given[name] for name in names})
                if not found:
                    continue
                for secret in found:
                    offered = {
                        "filename": secret.filename,
                        "secret": secret.secret_value,
                        "plugin": plugin,
                        "line": line,
                    }
                    if _filtered(self.secret_filters, offered):
                        continue
                    offered["context"] = context
                    if _filtered(self.context_filters, offered):
                        continue
                    yield secret


def _offered(function: Callable[..., Any], offered: tuple[str, ...]) -> tuple[str, ...]:
    """The offered arguments *function* names (detect-secrets' injection: the
    names of its parameters, ``self`` of a method apart)."""
    from detect_secrets.util.inject import get_injectable_variables

    names = get_injectable_variables(function)
    if inspect.ismethod(function):
        names = names[1:]
    return tuple(name for name in offered if name in names)


def _filters(
    found: Iterable[Any], offered: tuple[str, ...]
) -> list[tuple[Callable[..., Any], tuple[str, ...]]]:
    kept = []
    for function in found:
        names = _offered(function, offered)
        if _required(function) <= set(names):  # else a TypeError on every call
            kept.append((function, names))
    return kept


def _required(function: Callable[..., Any]) -> set[str]:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return set()  # cannot tell: called, and its TypeError ignored
    return {
        p.name
        for p in parameters
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY, p.POSITIONAL_ONLY)
    }


def _filtered(
    filters: list[tuple[Callable[..., Any], tuple[str, ...]]], given: dict[str, Any]
) -> bool:
    for function, names in filters:
        try:
            if function(**{name: given[name] for name in names}):
                return True
        except TypeError:  # as detect-secrets: an incompatible filter is skipped
            pass
    return False
