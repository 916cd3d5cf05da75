"""--help and usage errors in Bahasa Indonesia: the one translation layer.

Options are written in English where they are declared; ``OPTIONS`` (in
``spbe_lint.helpwords``, with the other texts) maps each English help text to
its Indonesian text, and ``localise`` puts the chosen language's text on a
command's options, and its line in command lists (``COMMANDS``), when the
command is loaded, so click builds help as usual. Click's own words ("Usage:",
"Invalid value for ...") go through gettext; ``CLICK`` answers them. A new
option without an entry fails tests/test_reports_text.py; an English text that
changes loses its entry, so a stale translation cannot stay behind.
"""

from __future__ import annotations

import gettext
import sys

import click

from spbe_lint.helpwords import CLICK, COMMANDS, OPTIONS

__all__ = ["CLICK", "COMMANDS", "LANGUAGE", "OPTIONS", "localise", "use_language"]

# The language of --help and of click's usage errors, chosen in cli.main from
# the arguments (--lang) and SPBE_LINT_LANG before click parses anything.
LANGUAGE = ["id"]

_CLICK_MODULES = (
    "click.core",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
    "click.decorators",
)


def localise(command: click.Command, lang: str) -> None:
    """Put *lang*'s help texts on *command*'s options (and its subcommands')."""
    if command.name in COMMANDS:  # its line in the parent's command list
        english_short = getattr(command, "english_short_help", command.short_help)
        command.english_short_help = english_short  # type: ignore[attr-defined]
        command.short_help = COMMANDS[command.name] if lang == "id" else english_short
    if getattr(command, "_help_option", None) is not None:
        command._help_option = None  # click 8.2+ keeps it: made again in *lang*
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            english = getattr(param, "english_help", param.help)
            param.english_help = english  # type: ignore[attr-defined]
            param.help = OPTIONS.get(english, english) if lang == "id" else english
    if isinstance(command, click.Group) and isinstance(command.commands, dict):
        for sub in command.commands.values():  # rules, baseline: loaded with them
            localise(sub, lang)


def use_language(lang: str) -> None:
    """Click's own words in *lang*: usage lines, headings, usage errors (set for
    each run, so one process can run both languages)."""

    def translate(message: str) -> str:
        return CLICK.get(message, gettext.gettext(message))

    def ntranslate(singular: str, plural: str, n: int) -> str:
        chosen = singular if n == 1 else plural
        return CLICK.get(chosen, gettext.ngettext(singular, plural, n))

    for name in _CLICK_MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = translate if lang == "id" else gettext.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ntranslate if lang == "id" else gettext.ngettext  # type: ignore[attr-defined]
