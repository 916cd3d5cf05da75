"""One error hierarchy. The CLI maps it to exit codes in one place (``cli.main``)."""

from __future__ import annotations

from typing import Any

from spbe_lint.findings import InputFile, place
from spbe_lint.i18n import LocalText


class SpbeError(Exception):
    """A problem the user can fix: printed as one line, exit status 2."""

    def __init__(
        self,
        message: LocalText,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message.en)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.lang: str | None = None  # set once the run's language is known

    def recast(self, kind: type[SpbeError]) -> SpbeError:
        """The same message and place as another kind of error (an InputError
        in a configuration file is a ConfigError)."""
        return kind(self.message, path=self.path, line=self.line, column=self.column)

    def render(self, lang: str) -> str:
        """``path:line:col: message``, the shape editors and CI logs understand."""
        where = place(self.path, self.line, self.column)
        return f"{where}: {self.message.get(lang)}" if where else self.message.get(lang)


class UsageError(SpbeError):
    """Bad command-line use: a missing path, an unknown rule id asked for."""


class ConfigError(SpbeError):
    """A configuration file that cannot be used."""


class RulePackError(SpbeError):
    """A rule pack (pack.yaml or a rule file) that cannot be used."""


class InputError(SpbeError):
    """A file that cannot be read as a manifest at all (encoding, size, aliases...)."""

    def __init__(
        self, message: LocalText, *, file: InputFile | None = None, **where: Any
    ) -> None:
        super().__init__(message, **where)
        self.file = file  # set when the bytes were read: the report keeps their hash


class OutputError(SpbeError):
    """A file spbe-lint cannot write (a full disk, a folder in the way): what
    was there before is left as it was."""
