"""Laws of value codecs: encryption is opaque and sealed, compression round-trips."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from kvdeco.errors import EncryptionError
from kvdeco.stores.memory import MemoryStore
from kvdeco.testing import strategies as kst
from kvdeco.testing.laws._building import SECRETS, LawMachine, own_rules, strings_in
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import ContractViolation, MachineConfig

_SPOTS = st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from([None, "c1"]))
_Spot = tuple[str, str | None]


class _EncryptionMachine(LawMachine):
    wrap: Callable[[Any], Any]
    on_error: bool | None

    def __init__(self) -> None:
        super().__init__()
        self.inner = MemoryStore()
        self.view = type(self).wrap(self.inner)
        # For each spot of the inner store: the spot its envelope was written for, the value
        # in it, and whether it was altered in place.
        self.held: dict[_Spot, tuple[_Spot, Any, bool]] = {}

    def spoiled(self, spot: _Spot) -> bool:
        """Whether the envelope at ``spot`` was altered, or written for another spot."""
        origin, _, altered = self.held[spot]
        return altered or origin != spot

    @rule(spot=_SPOTS, value=SECRETS)
    def put(self, spot: _Spot, value: Any) -> None:
        """What the inner store holds shows no fragment of the value."""
        key, collection = spot
        self.run(self.view.put(key, value, collection=collection))
        self.held[spot] = (spot, value, False)
        raw = self.run(self.inner.get(key, collection=collection))
        if raw is None:
            return
        text = json.dumps(raw, ensure_ascii=False) + json.dumps(raw)
        fixed = " ".join(raw)  # the envelope's own field names
        for fragment in strings_in(value):
            if len(fragment) >= 6 and fragment in text and fragment not in fixed:
                raise ContractViolation(f"put({key!r}): the stored envelope contains {fragment!r}")

    @rule(spot=_SPOTS, at=st.floats(min_value=0.2, max_value=0.8))
    def tamper(self, spot: _Spot, at: float) -> None:
        """Change one character in the middle of the longest string of an envelope."""
        key, collection = spot
        raw = self.run(self.inner.get(key, collection=collection))
        strings = [k for k, v in (raw or {}).items() if isinstance(v, str)]
        if not strings:
            return
        field = max(strings, key=lambda k: len(raw[k]))
        text = raw[field]
        i = int(len(text) * at)
        raw[field] = text[:i] + ("B" if text[i : i + 1] == "A" else "A") + text[i + 1 :]
        self.run(self.inner.put(key, raw, collection=collection))
        origin, value, _ = self.held[spot]
        self.held[spot] = (origin, value, True)
        self.check_read(spot, with_ttl=False)

    @rule(source=_SPOTS, destination=_SPOTS)
    def move(self, source: _Spot, destination: _Spot) -> None:
        """Copy one entry's envelope under another key or collection."""
        raw = self.run(self.inner.get(source[0], collection=source[1]))
        if raw is None or source == destination:
            return
        self.run(self.inner.put(destination[0], raw, collection=destination[1]))
        self.held[destination] = self.held[source]
        self.check_read(destination, with_ttl=False)

    @rule(spot=_SPOTS, with_ttl=st.booleans())
    def get(self, spot: _Spot, with_ttl: bool) -> None:
        """Intact entries decrypt to what was put; altered or moved ones never decrypt."""
        self.check_read(spot, with_ttl)

    def check_read(self, spot: _Spot, with_ttl: bool) -> None:
        """Read ``spot`` through the wrapper and check the outcome.

        An envelope moved back to the spot it was written for is intact again (and may hold
        an older value: replay is outside what an envelope can detect)."""
        key, collection = spot
        call = f"{'ttl' if with_ttl else 'get'}({key!r}, collection={collection!r})"
        read = self.view.ttl if with_ttl else self.view.get
        spoiled = spot in self.held and self.spoiled(spot)
        try:
            found = self.run(read(key, collection=collection))
        except EncryptionError as error:
            if not spoiled:
                raise ContractViolation(f"{call} of an intact entry raised {error!r}") from None
            if self.on_error is False:
                raise ContractViolation(
                    f"{call} raised {error!r}; it should read as missing"
                ) from None
            return
        value = found[0] if with_ttl else found
        if spoiled:
            if value is not None:
                raise ContractViolation(f"{call}: an altered or moved envelope decrypted silently")
            if self.on_error is True:
                raise ContractViolation(
                    f"{call} of a spoiled entry read as missing; it should raise"
                )
            return
        expected = self.held[spot][1] if spot in self.held else None
        if value != expected:
            raise ContractViolation(f"{call} returned {value!r}; {expected!r} was put")


def encryption_machine(
    wrap: Callable[[Any], Any],
    *,
    raise_on_error: bool | None = None,
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """Encryption is opaque and has integrity.

    Opaque: what the store under the wrapper holds contains no string (of 6 characters or
    more) of any value put. Integrity: an envelope altered in place, or moved to another key
    or collection, never decrypts: it raises an ``EncryptionError`` (a ``DecryptionError``)
    or reads as missing.

    Args:
        wrap: Builds the encrypting wrapper over a store, such as
            ``lambda s: FernetEncryptionWrapper(s, fernet=Fernet(key))``.
        raise_on_error: True: spoiled entries must raise; False: must read as missing;
            None: either.
        settings: Hypothesis settings.
    """
    cfg = MachineConfig(build=lambda: None, capabilities=frozenset())
    base = type(
        "_Encryption",
        (_EncryptionMachine,),
        {"wrap": staticmethod(wrap), "on_error": raise_on_error},
    )
    return own_rules(base, cfg, "EncryptionMachine", settings)


class _CompressionMachine(LawMachine):
    wrap: Callable[[Any], Any]
    min_size: int
    marker: str

    def __init__(self) -> None:
        super().__init__()
        self.inner = MemoryStore()
        self.view = type(self).wrap(self.inner)
        self.model: dict[tuple[str, str | None], Any] = {}

    @rule(spot=_SPOTS, value=st.one_of(kst.json_mappings(large=False), kst.large_mappings()))
    def put(self, spot: tuple[str, str | None], value: Any) -> None:
        """Large values are stored compressed, small ones as they are."""
        key, collection = spot
        self.run(self.view.put(key, value, collection=collection))
        self.model[spot] = value
        raw = self.run(self.inner.get(key, collection=collection))
        size = len(json.dumps(value, sort_keys=True))
        if size >= self.min_size and (raw is None or self.marker not in raw):
            raise ContractViolation(f"put({key!r}) of {size} characters was not stored compressed")
        if size >= self.min_size and len(json.dumps(raw)) >= size:
            raise ContractViolation(f"put({key!r}) of {size} characters was stored no smaller")
        if size < self.min_size and raw != value:
            raise ContractViolation(f"put({key!r}) of {size} characters was not stored as it is")

    @rule(spot=_SPOTS, value=kst.json_mappings(large=False))
    def put_plain(self, spot: tuple[str, str | None], value: Any) -> None:
        """An uncompressed entry written past the wrapper (older data) stays readable."""
        self.run(self.inner.put(spot[0], value, collection=spot[1]))
        self.model[spot] = value

    @rule(
        keys=st.lists(_SPOTS.map(lambda s: s[0]), max_size=4),
        collection=st.sampled_from([None, "c1"]),
    )
    def get_many(self, keys: list[str], collection: str | None) -> None:
        """Every value reads back exactly as it was put."""
        found = self.run(self.view.get_many(keys, collection=collection))
        expected = [self.model.get((k, collection)) for k in keys]
        if found != expected:
            raise ContractViolation(
                f"get_many({keys!r}, collection={collection!r}) did not round-trip"
            )


def compression_machine(
    wrap: Callable[[Any], Any],
    *,
    min_size: int = 1024,
    marker: str = "__compressed_data__",
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """Compression round-trips every value, compresses large ones, and reads plain old data.

    Args:
        wrap: Builds the compressing wrapper over a store.
        min_size: The wrapper's ``min_size_to_compress``.
        marker: The field that marks a compressed entry.
        settings: Hypothesis settings.
    """
    cfg = MachineConfig(build=lambda: None, capabilities=frozenset())
    namespace = {"wrap": staticmethod(wrap), "min_size": min_size, "marker": marker}
    return own_rules(
        type("_Compression", (_CompressionMachine,), namespace), cfg, "CompressionMachine", settings
    )
