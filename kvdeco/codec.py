"""The base of aspects that transform each value one at a time: compression, encryption.

A :class:`ValueCodec` says how one value is encoded on the way into the inner store and
decoded on the way out; the base applies that to every operation, per item, keeping bulk calls
bulk. ``decode`` may return ``None`` to make an unreadable entry read as a miss.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Mapping
from typing import Any

from kvdeco.aspect import Aspect, failed
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.validation import check_key, check_keys, check_many, check_value, collection_name

__all__ = ["ValueCodec"]


@dataclasses.dataclass(frozen=True, repr=False)
class ValueCodec(Aspect):
    """An aspect defined by an ``encode`` and a ``decode`` of single values."""

    def encode(
        self, value: Mapping[str, Any], key: str, collection: str | None, op: str
    ) -> Mapping[str, Any]:
        """Return what the inner store keeps for ``value`` (already checked to be a mapping)."""
        return value

    def decode(
        self, stored: dict[str, Any], key: str, collection: str | None
    ) -> dict[str, Any] | None:
        """Return the value for what the inner store kept, or ``None`` to read it as a miss."""
        return stored

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        """Encode the values of writes and decode the results of reads."""
        kind = call.op.kind
        if kind is Kind.READ:
            return self._read(call, proceed)
        if kind is Kind.WRITE:
            # A write needs no coroutine of its own: the inner store's awaitable is returned.
            try:
                encoded = self.encode_call(call)
            except Exception as error:
                return failed(error)
            return proceed(encoded)
        return proceed(call)

    async def _read(self, call: Call, proceed: Proceed) -> Any:
        return self.decode_result(call, await proceed(call))

    def encode_call(self, call: Call) -> Call:
        """Return ``call`` with each of its values encoded (all checked before any is)."""
        keys, values, collection, op = call.keys, call.values, call.collection, call.op
        name = op.name
        if not op.many:  # a put: no loops or lists to build
            assert values is not None  # a single put always carries its one value
            key, value = keys[0], values[0]
            if type(key) is not str:
                check_key(key, name, collection)
            if collection is not None and type(collection) is not str:
                collection_name(collection, name)
            if type(value) is not dict:
                check_value(value, name, collection, key)
            return Call(
                op, keys, collection, (self.encode(value, key, collection, name),), call.ttl
            )
        # The shape first: values of None or keys given as one string are refused as the
        # stores refuse them, before any encoding pairs keys with values.
        check_keys(keys, name, collection)
        if collection is not None and type(collection) is not str:
            collection_name(collection, name)
        check_many(keys, values, name)  # type: ignore[arg-type]  # it refuses None too
        assert values is not None
        for key, value in zip(keys, values):
            check_value(value, name, collection, key)
        encoded = [self.encode(v, k, collection, name) for k, v in zip(keys, values)]
        return Call(op, keys, collection, encoded, call.ttl)

    def decode_result(self, call: Call, result: Any) -> Any:
        """Decode what a read returned, in the shape its operation returns."""
        decode, collection = self.decode, call.collection
        op = call.op
        if not op.many:
            if op.with_ttl:
                value, ttl = result
                if value is None:
                    return (None, None)
                decoded = decode(value, call.keys[0], collection)
                return (None, None) if decoded is None else (decoded, ttl)
            return None if result is None else decode(result, call.keys[0], collection)
        if op.with_ttl:
            out: list[Any] = []
            for key, (value, ttl) in zip(call.keys, result):
                decoded = None if value is None else decode(value, key, collection)
                out.append((None, None) if decoded is None else (decoded, ttl))
            return out
        return [
            None if value is None else decode(value, key, collection)
            for key, value in zip(call.keys, result)
        ]
