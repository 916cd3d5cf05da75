"""What every aspect of an OpenAPI description works with: what the manifest
says about the API (``Api``), a problem at a place in the document
(``Problem``, written by ``problem`` in both languages, placed as people write
it by ``shown``), and readers that never trust a value's type (``as_mapping``,
``as_text``, ``operations``): a document can be anything a vendor wrote, and a
wrong type is the validator's to report, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from spbe_lint.i18n import LocalText

Path = tuple[str | int, ...]
# Follows a $ref (inside the document or through the shared resolver): the
# object it names, or None when it cannot be followed (the validator says why).
Deref = Callable[[Any], Any]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Api:
    """What the manifest (and the city's profile) say about one API."""

    public: bool = False
    auth: str | None = None  # none | oidc | oauth2 | api_key | mtls
    owner: str | None = None
    formats: tuple[str, ...] | None = None
    gateway: str | None = None  # the API's address on the SPLP/SPLPD gateway
    domain: str = ""  # the city domain (profile.domain)
    issuer: str = ""  # the city SSO issuer (profile.sso.issuer)
    declared: bool = True  # False: URLs given to the probe, no manifest


@dataclass(frozen=True)
class Problem:
    """One problem of an API description at a place in it."""

    aspect: str
    path: Path
    detail: LocalText


def shown(path: Path) -> str:
    """A place in the document as people write it: ``paths./izin.get.responses``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(root)"


def problem(aspect: str, path: Path, id_: str, en: str) -> Problem:
    """A Problem of *aspect* at *path*, the place written before each text."""
    where = shown(path)
    return Problem(aspect, path, LocalText(f"{where}: {id_}", f"{where}: {en}"))


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def is_swagger(doc: Mapping[str, Any]) -> bool:
    return "swagger" in doc


def operations(doc: Mapping[str, Any]) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    for name, item in as_mapping(doc.get("paths")).items():
        for method, operation in as_mapping(item).items():
            if method in METHODS and isinstance(operation, dict):
                yield ("paths", name, method), operation
