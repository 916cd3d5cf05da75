"""Results remembered between runs, keyed by everything that produced them.

Validating rule packs, analysing licence expressions and texts, judging API
descriptions and datasets, scanning files for secrets: each costs far more than
reading back its result. A result depends on its inputs (the caller's key: the
files' bytes, what the manifest declares) and on what computed it: this
spbe-lint version, the source of the modules that compute it and the versions
of the libraries they use. ``PRODUCERS`` names those per kind of entry, and
every entry's file name is a hash of the caller's key *and* that fingerprint:
an upgrade, a changed classification or an edited check is simply a miss,
never an old verdict read back.

The folder is bounded: past ``MAX_BYTES`` (``SPBE_LINT_CACHE_MAX_MB``, default
256) or ``MAX_ENTRIES`` files (``SPBE_LINT_CACHE_MAX_ENTRIES``, default 20,000:
an audit shard of more applications needs more to reuse their results), the
least recently used entries are removed
(checked once per process, at its first write; a read refreshes an entry's
time). The cache is an optimisation only: an unreadable or unwritable cache is
ignored, and a damaged entry is a miss.

Location: ``$SPBE_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/spbe-lint``, else
``~/.cache/spbe-lint``. ``SPBE_LINT_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from spbe_lint import __version__, cachedir

ALL = "*"  # in PRODUCERS: every file of the package, or every distribution

# Kind of entry -> (spbe_lint modules whose code computes it, distributions it
# uses). A module is named relative to spbe_lint ("evidence.data"); a
# distribution by its name on PyPI. Add a kind here before using it.
PRODUCERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pack": (
        ("rulepack", "rulefile", "schema", "resources"),
        ("jsonschema", "PyYAML"),
    ),
    # The built rule pack, as Python objects: every module that defines one of
    # its classes or builds it (a changed class is a miss, never a stale object).
    "pack-built": (
        (
            "rulepack",
            "rulefile",
            "schema",
            "fastschema",
            "resources",
            "rule",
            "i18n",
            "scoring",
            "evaluation",
            "findings",
            "checks",
        ),
        ("jsonschema", "PyYAML"),
    ),
    "sbom": (
        ("evidence.sbom", "jsonread", "fastschema", "findings", "i18n", "pointers"),
        ("jsonschema", "jsonschema-rs"),
    ),
    "licence": (("checks.licences",), ("license-expression",)),
    "licence-text": (("evidence.licence_file",), ("identify", "ukkonen")),
    "openapi": (
        (
            "apidoc",
            "references",
            "evidence.openapi",
            "evidence.apiaspects",
            "evidence.apiproblem",
            "evidence.apihosts",
            "evidence.apiauth",
            "evidence.apiresult",
            "evidence.apicache",
        ),
        ("openapi-spec-validator", "jsonschema-path", "jsonschema", "jsonschema-rs"),
    ),
    "secrets": (
        (
            "evidence.secrets",
            "evidence.detection",
            "evidence.detectors",
            "evidence.lines",
            "evidence.secrets_baseline",
        ),
        ("detect-secrets",),
    ),
    # An audit's per-application static result (audit.reuse): everything
    # judges it, so every file of the package and every installed distribution.
    "application": ((ALL,), (ALL,)),
    "data": (
        (
            "evidence.data",
            "evidence.datacache",
            "evidence.datafile",
            "evidence.judgement",
            "evidence.metadata",
            "evidence.regions",
            "evidence.samples",
            "evidence.tables",
            "checks.identifiers",
            "schema",
            "fastschema",
        ),
        ("frictionless", "python-stdnum", "jsonschema", "jsonschema-rs", "PyYAML"),
    ),
}

MAX_ENTRIES = 20_000
_DEFAULT_MAX_MB = 256


_folder = cachedir.folder  # one rule for every cache of spbe-lint


def disabled() -> bool:
    """Whether the cache is off (``SPBE_LINT_NO_CACHE``)."""
    return _folder() is None


def _entry(folder: Path, key: str, kind: str, suffix: str = ".json") -> Path:
    digest = hashlib.sha256(f"{fingerprint(kind)}\0{key}".encode()).hexdigest()
    return folder / f"{kind}-{digest[:40]}{suffix}"


def read(key: str, kind: str = "pack") -> Any | None:
    folder = _folder()
    if folder is None:
        return None
    path = _entry(folder, key, kind)
    try:
        value = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        # A cache entry we did not write whole (or someone else's) is a miss.
        # Not the bounded reader (spbe_lint.jsonread): these are our own files,
        # keyed by content, and this is the pre-commit path (4x the parse time).
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: pruned last
    return value


def write(key: str, value: Any, kind: str = "pack") -> None:
    folder = _folder()
    if folder is None:
        return
    data = json.dumps(value, ensure_ascii=False).encode("utf-8")
    _replace(folder, _entry(folder, key, kind), data)


def read_object(key: str, kind: str) -> Any | None:
    """A Python object written by :func:`write_object`, or None.

    For values that cost more to rebuild from JSON than to unpickle, such as
    the built rule pack. Read back with :func:`restricted_loads`: an entry
    someone else planted is a miss, never code run."""
    folder = _folder()
    if folder is None:
        return None
    path = _entry(folder, key, kind, suffix=".pickle")
    try:
        value = restricted_loads(path.read_bytes(), kind)
    except Exception:  # any damage, any stale or foreign class: a miss
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return value


def write_object(key: str, value: Any, kind: str) -> None:
    folder = _folder()
    if folder is None:
        return
    import pickle

    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return
    _replace(folder, _entry(folder, key, kind, suffix=".pickle"), data)


# What an object entry may rebuild besides spbe_lint's own value classes
# (frozen dataclasses and enumerations): plain values.
_PLAIN = frozenset(
    {
        ("builtins", "frozenset"),
        ("builtins", "set"),
        ("builtins", "slice"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("pathlib", "PosixPath"),
        ("pathlib", "PurePosixPath"),
        ("pathlib", "WindowsPath"),
        ("pathlib", "PureWindowsPath"),
        ("collections", "OrderedDict"),
    }
)
# And what a kind needs beyond them: the built pack holds its rules' schema
# validators (built lazily from the schema by compile_schema; nothing runs at
# load) and the profile's mapping.
_KIND_ALLOWS: dict[str, frozenset[tuple[str, str]]] = {
    "pack-built": frozenset(
        {
            ("functools", "partial"),
            ("spbe_lint.fastschema", "FastValidator"),
            ("spbe_lint.rule", "Namespace"),
            ("spbe_lint.schema", "compile_schema"),
            ("spbe_lint.schema", "_shipped"),
        }
    ),
}


def restricted_loads(data: bytes, kind: str = "") -> Any:
    """Unpickle *data*, rebuilding only spbe-lint's value objects, plain values
    and what *kind* allows: no other function, and no class whose constructor
    could act (a journal, a session). Raises ``pickle.UnpicklingError`` on
    anything else."""
    import io

    return restricted_unpickler(kind)(io.BytesIO(data)).load()


@functools.cache
def restricted_unpickler(kind: str = "") -> Any:
    """The ``pickle.Unpickler`` class ``restricted_loads`` reads with, for a
    reader of its own (spbe_lint.spool adds persistent ids to it)."""
    import pickle

    allowed = _PLAIN | _KIND_ALLOWS.get(kind, frozenset())

    class Restricted(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) in allowed:
                return super().find_class(module, name)
            if (module == "spbe_lint" or module.startswith("spbe_lint.")) and (
                "." not in name and not name.startswith("_")
            ):
                found = super().find_class(module, name)
                if _value_class(found):
                    return found
            raise pickle.UnpicklingError(
                f"not allowed in a cache entry: {module}.{name}"
            )

    return Restricted


def _value_class(found: Any) -> bool:
    import dataclasses
    import enum

    if not isinstance(found, type):
        return False
    if issubclass(found, enum.Enum):
        return True
    params = getattr(found, "__dataclass_params__", None)
    return dataclasses.is_dataclass(found) and bool(getattr(params, "frozen", False))


def _replace(folder: Path, target: Path, data: bytes) -> None:
    """Write then rename, so that a concurrent run never reads half a file."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "wb", dir=folder, suffix=".tmp", delete=False
        ) as stream:
            stream.write(data)
        Path(stream.name).replace(target)
    except OSError:
        return
    _prune_once(folder)


@functools.cache
def fingerprint(kind: str) -> str:
    """What computed an entry of *kind*: spbe-lint's version, its producing
    modules' source and the installed versions of the libraries they use."""
    modules, distributions = PRODUCERS[kind]  # KeyError: register the kind first
    digest = hashlib.sha256(f"{__version__}\0{kind}\0".encode())
    package = Path(__file__).parent
    for module in modules:
        digest.update(module.encode() + b"\0" + _source(package, module) + b"\0")
    for name in distributions:
        digest.update(f"{name}={_installed(name)}\0".encode())
    return digest.hexdigest()


def _package_digest(package: Path) -> str:
    """Every file of the package but compiled bytecode: code, rules, schemas,
    templates and tables, by name and content (in a checkout, ``rules/`` and
    ``schemas/`` sit beside the package: see ``resources``)."""
    from spbe_lint import resources

    digest = hashlib.sha256()
    found = [*package.rglob("*")]
    for data in (resources.default_pack(), resources.schema_folder()):
        folder = Path(str(data))
        if not folder.is_relative_to(package):
            found += [*folder.rglob("*")]
    for path in sorted(found):
        if "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        try:
            content = path.read_bytes() if path.is_file() else b"(folder)"
        except OSError:
            content = b"(unreadable)"
        name = path.as_posix()
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def _source(package: Path, module: str) -> bytes:
    if module == ALL:
        return _package_digest(package).encode()
    base = package.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        try:
            return path.read_bytes()
        except OSError:
            continue
    return b"(missing)"


def _installed(distribution: str) -> str:
    """The distribution's installed version, from its ``.dist-info`` folder name
    (importlib.metadata would import the email package on the hook path)."""
    if distribution == ALL:  # Python's version and every distribution's
        import sys

        found = [f"{folder}:{sorted(names)}" for folder, names in _distributions()]
        return f"python {sys.version}; " + "; ".join(found)
    wanted = _normalise(distribution)
    for folder, names in _distributions():
        for name in names:
            stem = name.removesuffix(".dist-info")
            project, _, version = stem.partition("-")
            if _normalise(project) == wanted:
                return f"{version}@{folder}"
    return "(not installed)"


def _normalise(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


@functools.cache
def _distributions() -> tuple[tuple[str, tuple[str, ...]], ...]:
    import sys

    found = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                names = tuple(e.name for e in listing if e.name.endswith(".dist-info"))
        except OSError:
            continue
        if names:
            found.append((entry, names))
    return tuple(found)


_pruned: set[Path] = set()


def _prune_once(folder: Path) -> None:
    if folder in _pruned:
        return
    _pruned.add(folder)
    prune(folder)


def _setting(name: str, default: float) -> float:
    """A positive number from the environment, or *default* (an optimisation's
    knob never stops a run: a wrong value is the default)."""
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 and value != float("inf") else default


def prune(
    folder: Path, max_bytes: int | None = None, max_entries: int | None = None
) -> int:
    """Remove the least recently used entries past the bounds; how many went."""
    if max_bytes is None:
        megabytes = _setting("SPBE_LINT_CACHE_MAX_MB", _DEFAULT_MAX_MB)
        max_bytes = int(megabytes * 1024 * 1024)
    if max_entries is None:
        max_entries = int(_setting("SPBE_LINT_CACHE_MAX_ENTRIES", MAX_ENTRIES))
    entries = []
    try:
        with os.scandir(folder) as found:
            for item in found:
                if (
                    item.name.endswith((".json", ".pickle", ".tmp", ".marshal"))
                    and item.is_file()
                ):
                    info = item.stat()
                    entries.append((info.st_mtime_ns, info.st_size, item.path))
    except OSError:
        return 0
    total = sum(size for _, size, _ in entries)
    if total <= max_bytes and len(entries) <= max_entries:
        return 0
    entries.sort()  # oldest first
    # Down to 80% of the bounds, so that the next run does not prune again.
    removed = 0
    count = len(entries)
    for _, size, path in entries:
        if total <= max_bytes * 0.8 and count <= max_entries * 0.8:
            break
        try:
            Path(path).unlink()
        except OSError:
            continue
        total -= size
        count -= 1
        removed += 1
    return removed
