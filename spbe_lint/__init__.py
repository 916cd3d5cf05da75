"""spbe-lint: check SPBE application manifests against a rule pack with legal citations."""

__version__ = "0.2.0"

# Before any of our dataclasses is defined: their methods' compiled code comes
# from the cache folder (spbe_lint.classcode says why and how).
from spbe_lint import classcode as _classcode
from spbe_lint import startup as _startup

_classcode.install(__version__)
_startup.hold()  # until the rule pack is loaded (spbe_lint.startup says why)
