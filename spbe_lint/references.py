"""Our own ``$ref`` resolver: validators never open a file or a socket themselves.

openapi-spec-validator (through jsonschema-path and ``referencing``) follows
``$ref`` when it validates. Left to itself it reads ``file:`` URLs and fetches
any URL with urllib: a submitted ``$ref: file:///etc/hostname`` put the
reviewer's file into a report, and ``$ref: http://127.0.0.1:8765/`` reached
loopback past the probe's address policy. Here ``referencing`` gets a Registry
whose ``retrieve`` is ours (``Resolver.retrieve``), so every document a
validator wants comes through these rules:

- a relative reference from a submitted file is followed inside the
  submission folder only (``confine``: links included), read within the
  size limit and parsed by the bounded readers: multi-file specifications
  validate;
- ``file:`` URLs, references that climb out of the folder and any other
  scheme are refused;
- ``http(s)`` references are fetched only through the function the caller
  gives (the probe's admitted, pinned transport), or not at all;
- at most ``MAX_DOCUMENTS`` documents, ``MAX_TOTAL_BYTES`` in all, per
  specification.

Each refusal is recorded (``problems``) with the reference as written and a
short reason, never the content of what it names, so the caller reports it.

Submitted files get base URIs under ``LOCAL``: a host that cannot exist
(``.invalid``, RFC 6761), so relative references resolve against it with the
standard rules, and a reference that climbs above the submission folder is
seen as leaving ``LOCAL_ROOT`` (the rules clamp it at the host's root).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from spbe_lint.i18n import LocalText

LOCAL = "https://submission.invalid"
LOCAL_ROOT = "/submission/"
MAX_DOCUMENTS = 64  # documents a specification may reference, itself excluded
MAX_BYTES = 16 << 20  # each referenced document, like the specification itself
MAX_TOTAL_BYTES = 64 << 20  # all the documents one specification references

# What the caller supplies to turn bytes into a document: the bounded JSON or
# YAML reader; it raises Unusable with a short reason.
Parse = Callable[[bytes, str], Any]
# Fetch a remote document: its bytes, or Unusable with the reason.
Fetch = Callable[[str], bytes]


class Unusable(Exception):
    """A referenced document that cannot be used, with a short reason."""

    def __init__(self, reason: LocalText) -> None:
        super().__init__(reason.en)
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    """A reference that was not followed: as written (relative to the folder
    for submitted files, the URL otherwise), and why."""

    reference: str
    reason: LocalText
    uri: str = ""  # as retrieved (absolute), to find where it is referenced

    def text(self, lang: str = "en") -> str:
        return f"$ref {self.reference}: {self.reason.get(lang)}"


def local_uri(relative: str) -> str:
    """The base URI of the submitted file at *relative* (posix, inside the folder)."""
    return LOCAL + LOCAL_ROOT + quote(PurePosixPath(relative).as_posix())


@dataclass
class Resolver:
    """Retrieves what a validator's ``$ref`` asks for, under the rules above.

    *folder* is the submission folder (None: nothing local is read); *fetch*
    gets a remote document through the probe's transport (None: nothing
    remote is fetched); *parse* turns bytes into a document."""

    parse: Parse
    folder: Path | None = None
    fetch: Fetch | None = None
    problems: list[Problem] = field(default_factory=list)
    retrieved: int = 0
    read: int = 0  # bytes of the documents retrieved so far
    # What each URI gave, so that a document is read (and counted) once per
    # specification however many lookups name it: the validator, then the
    # judge following the same references (evidence.openapi).
    documents: dict[str, Any] = field(default_factory=dict)

    def registry(self, document: Any, base_uri: str) -> Any:
        """A ``referencing`` Registry holding *document* at *base_uri*, whose
        every other document comes from ``retrieve``."""
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        resource = DRAFT202012.create_resource(document)
        return Registry(retrieve=self.retrieve).with_resource(base_uri, resource)

    def retrieve(self, uri: str) -> Any:
        """``referencing``'s retrieve: the Resource at *uri*, or NoSuchResource
        after recording why (the validator then stops at that reference)."""
        from referencing.exceptions import NoSuchResource
        from referencing.jsonschema import DRAFT202012

        shown = shown_reference(uri)
        if uri in self.documents:
            if self.documents[uri] is _REFUSED:
                raise NoSuchResource(ref=uri)
            return DRAFT202012.create_resource(self.documents[uri])
        try:
            contents = self._contents(uri)
            self.documents[uri] = contents
        except Unusable as exc:
            self.documents[uri] = _REFUSED
            problem = Problem(shown, exc.reason, uri)
            if problem not in self.problems:
                self.problems.append(problem)
            raise NoSuchResource(ref=uri) from None
        return DRAFT202012.create_resource(contents)

    def _contents(self, uri: str) -> Any:
        parts = urlsplit(uri)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin == LOCAL:
            return self._local(parts.path)
        if parts.scheme == "file":
            raise Unusable(_FILE_URL)
        if parts.scheme not in ("http", "https"):
            raise Unusable(_scheme(parts.scheme))
        if self.fetch is None:
            raise Unusable(_NOT_FETCHED)
        self._count()
        return self.parse(self._weighed(self.fetch(uri)), uri)

    def _local(self, path: str) -> Any:
        if not path.startswith(LOCAL_ROOT):
            raise Unusable(_OUTSIDE)
        if self.folder is None:
            raise Unusable(_NO_FOLDER)
        relative = unquote(path[len(LOCAL_ROOT) :])
        from spbe_lint.checks.documents import admit
        from spbe_lint.confine import Refused
        from spbe_lint.errors import InputError
        from spbe_lint.reading import read_bytes

        self._count()
        try:
            real = admit(self.folder, relative)
            raw = read_bytes(real, relative, MAX_BYTES, _DOCUMENT)
        except Refused as exc:
            raise Unusable(_OUTSIDE if exc.kind == "outside" else exc.message) from None
        except InputError as exc:
            raise Unusable(exc.message) from None
        return self.parse(self._weighed(raw), relative)

    def _weighed(self, raw: bytes) -> bytes:
        self.read += len(raw)
        if self.read > MAX_TOTAL_BYTES:
            from spbe_lint.jsonread import human_size

            limit = human_size(MAX_TOTAL_BYTES)
            raise Unusable(
                LocalText(
                    f"dokumen yang dirujuk melebihi {limit} seluruhnya; sisanya tidak "
                    "dibaca",
                    f"the referenced documents exceed {limit} in all; the rest are "
                    "not read",
                )
            )
        return raw

    def _count(self) -> None:
        self.retrieved += 1
        if self.retrieved > MAX_DOCUMENTS:
            raise Unusable(
                LocalText(
                    f"lebih dari {MAX_DOCUMENTS} dokumen dirujuk; sisanya tidak dibaca",
                    f"more than {MAX_DOCUMENTS} documents referenced; the rest are "
                    "not read",
                )
            )


def shown_reference(uri: str) -> str:
    """A retrieved URI as a report shows it: a submitted file by its path in
    the folder, anything else as the URL it is."""
    parts = urlsplit(uri)
    if f"{parts.scheme}://{parts.netloc}" == LOCAL:
        path = unquote(parts.path)
        if path.startswith(LOCAL_ROOT):
            return path[len(LOCAL_ROOT) :]
        return "../" + path.lstrip("/")  # climbed out: say so, not where to
    return uri


_REFUSED = object()  # a URI whose document could not be used (problems says why)
_DOCUMENT = LocalText("dokumen yang dirujuk", "the referenced document")
_FILE_URL = LocalText(
    "URL file: tidak diikuti; rujuk berkas dengan path relatif di dalam kiriman",
    "file: URLs are not followed; refer to a file by a relative path inside the "
    "submission",
)
_OUTSIDE = LocalText(
    "rujukan keluar dari folder kiriman; tidak diikuti",
    "the reference leads outside the submission folder; not followed",
)
_NOT_FETCHED = LocalText(
    "rujukan jarak jauh tidak diambil (hanya probe yang menghubungi host kota); "
    "sertakan dokumennya di dalam kiriman",
    "remote reference not fetched (only the probe contacts city hosts); include "
    "the document in the submission",
)
_NO_FOLDER = LocalText(
    "rujukan relatif tanpa folder kiriman; tidak diikuti",
    "a relative reference without a submission folder; not followed",
)


def _scheme(scheme: str) -> LocalText:
    shown = scheme or "(none)"
    return LocalText(
        f"skema {shown}: tidak didukung; hanya path relatif dan https",
        f"scheme {shown}: is not supported; only relative paths and https",
    )
