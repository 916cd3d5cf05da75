"""spbe-lint: check SPBE application manifests against a rule pack with legal citations."""

__version__ = "0.2.0"

# Before any of our dataclasses is defined: their methods' compiled code comes
# from the cache folder (spbe_lint.classcode says why and how).
from spbe_lint import classcode as _classcode

_classcode.install(__version__)
