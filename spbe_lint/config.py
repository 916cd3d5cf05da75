"""Find, load and validate ``.spbe-lint.yaml`` into a frozen Config.

Discovery walks from the working folder up to the repository root (the first
folder holding ``.git``) or the filesystem root, like yamllint and ansible-lint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spbe_lint import schema, source
from spbe_lint.errors import ConfigError, InputError
from spbe_lint.findings import Severity
from spbe_lint.i18n import LocalText

CONFIG_NAME = ".spbe-lint.yaml"


@dataclass(frozen=True)
class Config:
    """The settings of a configuration file (or given whole), defaults included."""

    path: Path | None = None
    lang: str | None = None
    fail_on: Severity | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    rules: Path | None = None
    profile: Mapping[str, Any] = field(default_factory=dict)
    # Probe settings as written (keys as in the file); paths already resolved
    # against the file's folder. Parsed where the probe is set up (app).
    probe: Mapping[str, Any] = field(default_factory=dict)
    document: source.Document | None = field(default=None, compare=False, repr=False)

    def error_at(
        self, path: Sequence[str | int], message: LocalText, *, anchor: str = "auto"
    ) -> ConfigError:
        """A ConfigError pointing at *path* inside this file."""
        if self.document is None:
            return ConfigError(message)
        return self.document.error(ConfigError, path, message, anchor=anchor)


def discover(start: Path) -> Path | None:
    """The nearest ``.spbe-lint.yaml`` from *start* up to the repository root."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.exists():  # a folder or FIFO of that name is an error, not a miss
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def load(path: Path, display: str) -> Config:
    try:
        document = source.require_clean(source.load(path, display, allow_empty=True))
    except InputError as exc:
        raise exc.recast(ConfigError) from None
    schema.check_file(document, "config", ConfigError)
    data = document.data
    rules_dir = (path.parent / data["rules"]) if "rules" in data else None
    return Config(
        path=path,
        lang=data.get("lang"),
        fail_on=Severity.parse(data["fail-on"]) if "fail-on" in data else None,
        select=tuple(data.get("select", ())),
        ignore=tuple(data.get("ignore", ())),
        severity={k: Severity.parse(v) for k, v in data.get("severity", {}).items()},
        rules=rules_dir,
        profile=data.get("profile", {}),
        probe=_probe(data.get("probe", {}), path.parent),
        document=document,
    )


def _probe(data: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    settings = dict(data)
    if "ca-bundle" in settings:
        settings["ca-bundle"] = folder / settings["ca-bundle"]
    return settings
