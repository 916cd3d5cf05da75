"""spbe-lint: check SPBE application manifests against a rule pack with legal citations."""

__version__ = "0.2.0"
