"""The probe's options: what the operator chose, below everything that uses them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ProbeOptions:
    """What the operator chose (command line or configuration, never a manifest)."""

    timeout: float = 15.0
    concurrency: int = 8
    resolve: Mapping[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    connect_to: Mapping[tuple[str, str], tuple[str, int | None]] = field(
        default_factory=dict
    )
    ca_bundle: Path | None = None
    allow_networks: tuple[Any, ...] = ()  # ip networks
    exposure: bool = False
    progress: bool = False
