"""What the model check compares stores with: the model's entries, the configuration of a
machine, and the error a broken contract raises."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from kvdeco.testing.clock import ManualClock
from kvdeco.validation import DEFAULT_COLLECTION

__all__ = ["CAPABILITIES", "ContractViolation", "Entry", "MachineConfig"]

CAPABILITIES = ("keys", "collections", "destroy_collection", "destroy")
"""The optional operations the machine exercises when a store has them."""

ALIVE, GONE, UNSURE = "alive", "gone", "unsure"


class ContractViolation(AssertionError):
    """A store or wrapper broke the contract. The message names the call, what it returned
    and what the model expected."""


@dataclasses.dataclass
class Entry:
    """One entry of the model: its value, its TTL and the window in which it expires."""

    value: Any
    ttl: float | None
    earliest: float  # when the entry may start to read as expired
    latest: float  # when it must read as expired


def short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 20] + f"... ({len(text)} chars)"


def scribble(value: Any) -> None:
    """Change every dict and list inside ``value`` in place (to catch shared objects)."""
    if isinstance(value, dict):
        for item in list(value.values()):
            scribble(item)
        value["\x00scribbled"] = True
    elif isinstance(value, list):
        for item in value:
            scribble(item)
        value.append("\x00scribbled")


@dataclasses.dataclass(frozen=True)
class MachineConfig:
    """Everything a generated machine needs; see :func:`store_state_machine` for the fields."""

    build: Callable[[], Any]
    names: tuple[str, ...] = ("store",)
    clock: ManualClock | None = None
    keys: st.SearchStrategy[str] | None = None
    collections: st.SearchStrategy[str | None] | None = None
    values: st.SearchStrategy[dict[str, Any]] | None = None
    ttls: st.SearchStrategy[float | int | None] | None = None
    expiry_seconds: float = 0.05
    expiry_margin: float = 0.05
    ttl_tolerance: float | None = None
    default_collection: str = DEFAULT_COLLECTION
    capabilities: frozenset[str] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    reuse: bool = False
    cross_check: bool = False
    writers: tuple[int, ...] | None = None
    shared_model: bool = False
    invalid_calls: bool = True
    cached_ttls: bool = False
