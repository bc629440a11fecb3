"""Compress large values with gzip before they reach the store.

A value whose JSON is at least ``min_size_to_compress`` characters long (measured as
``len(json.dumps(value, sort_keys=True))``, like py-key-value) is stored as an envelope::

    {"__compressed_data__": "<standard base64 of gzip level 1 of compact JSON>",
     "__compression_version__": 1, "__compression_algorithm__": "gzip"}

which is py-key-value's format, so either library reads what the other wrote. Smaller values
are stored as they are, and a stored value without the marker key is returned as it is, so
compressed and plain entries coexist. A value that itself has the marker key is always
compressed, so it cannot be mistaken for an envelope on the way back.

Reading refuses, with :class:`~kvdeco.errors.DeserializationError`, an envelope that is not
valid base64 or gzip, of an unknown version or algorithm, not a JSON object once inflated,
that would inflate beyond ``max_decompressed_size`` (checked while inflating, so a
decompression bomb costs at most that much memory), or whose JSON holds more than
``max_decompressed_items`` values (counted before parsing: a few bytes of ``[],`` cost about
75 bytes of Python objects each, so the byte limit alone would let 64 MiB of text build
1.6 GiB). Nesting deeper than the interpreter's recursion limit is refused too.

Writing refuses what reading would: a value whose compact JSON is longer than
``max_decompressed_size`` raises :class:`~kvdeco.errors.EntryTooLargeError`, one of more
than ``max_decompressed_items`` values a :class:`~kvdeco.errors.SerializationError`, before
anything is stored.
"""

from __future__ import annotations

import binascii
import dataclasses
import sys
import zlib
from collections.abc import Mapping
from typing import Any, ClassVar

from kvdeco._factory import DecoratorFactory
from kvdeco.codec import ValueCodec
from kvdeco.errors import DeserializationError, EntryTooLargeError, SerializationError
from kvdeco.wrappers._arguments import checked, integer
from kvdeco.wrappers._base64 import b64decode_strict
from kvdeco.wrappers._json import (
    TooManyItemsError,
    count_items,
    dump_compact,
    load_object,
    measured_size,
)
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["Compression", "CompressionWrapper", "compressed"]

DATA_KEY = "__compressed_data__"
VERSION_KEY = "__compression_version__"
ALGORITHM_KEY = "__compression_algorithm__"
VERSION = 1
ALGORITHM = "gzip"
DEFAULT_MAX_DECOMPRESSED_SIZE = 64 * 1024 * 1024
DEFAULT_MAX_DECOMPRESSED_ITEMS = 1_000_000
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around the deflate stream


def _gzip(data: bytes) -> bytes:
    """Gzip at level 1 in one call (``gzip.compress`` builds a file object before 3.11)."""
    if sys.version_info >= (3, 11):
        return zlib.compress(data, 1, wbits=_GZIP_WBITS)
    packer = zlib.compressobj(1, zlib.DEFLATED, _GZIP_WBITS)
    return packer.compress(data) + packer.flush()


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class Compression(ValueCodec):
    """The aspect behind :func:`compressed`."""

    label: ClassVar[str] = "compressed"
    min_size_to_compress: int = dataclasses.field(
        default=1024, metadata=checked(integer, minimum=0)
    )
    max_decompressed_size: int = dataclasses.field(
        default=DEFAULT_MAX_DECOMPRESSED_SIZE, metadata=checked(integer, minimum=1)
    )
    max_decompressed_items: int = dataclasses.field(
        default=DEFAULT_MAX_DECOMPRESSED_ITEMS, metadata=checked(integer, minimum=1)
    )

    def encode(
        self, value: Mapping[str, Any], key: str, collection: str | None, op: str
    ) -> Mapping[str, Any]:
        """Return the envelope of ``value`` if it is large enough, else ``value``."""
        text = dump_compact(value, op, collection, key)
        threshold = self.min_size_to_compress
        # The measured layout (", " and ": ") adds one space per separator of the compact one,
        # so it is at most twice as long: only values in between are serialised twice.
        size = len(text)
        if (
            size < threshold
            and DATA_KEY not in value
            and (2 * size < threshold or measured_size(value, op, collection, key) < threshold)
        ):
            return value
        self._check_readable(text, key, collection, op)
        packed = _gzip(text.encode("ascii"))
        return {
            DATA_KEY: binascii.b2a_base64(packed, newline=False).decode("ascii"),
            VERSION_KEY: VERSION,
            ALGORITHM_KEY: ALGORITHM,
        }

    def decode(
        self, stored: dict[str, Any], key: str, collection: str | None
    ) -> dict[str, Any] | None:
        """Return the value an envelope holds; a stored value without the marker as it is."""
        if DATA_KEY not in stored:
            return stored
        version, algorithm = stored.get(VERSION_KEY), stored.get(ALGORITHM_KEY)
        if type(version) is not int or version != VERSION or algorithm != ALGORITHM:
            raise DeserializationError(
                "unknown compression envelope version or algorithm",
                collection=collection,
                key=key,
            )
        try:
            packed = _unbase64(stored[DATA_KEY])
        except (ValueError, binascii.Error):
            raise _unreadable("the payload is not base64", collection, key) from None
        try:
            text = self._inflate(packed)
        except _TooLargeError:
            reason = f"it inflates beyond max_decompressed_size={self.max_decompressed_size}"
            raise _unreadable(reason, collection, key) from None
        except zlib.error:
            raise _unreadable("the payload is not complete gzip data", collection, key) from None
        try:
            return load_object(text, self.max_decompressed_items)
        except TooManyItemsError:
            reason = f"it holds more than max_decompressed_items={self.max_decompressed_items}"
            raise _unreadable(reason, collection, key) from None
        except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise _unreadable("the payload is not a JSON object", collection, key) from None

    def _check_readable(self, text: str, key: str, collection: str | None, op: str) -> None:
        """Refuse to store what :meth:`decode` would refuse to read back."""
        where = {"operation": op, "collection": collection, "key": key}
        if len(text) > self.max_decompressed_size:
            raise EntryTooLargeError(len(text), self.max_decompressed_size, **where)
        limit = self.max_decompressed_items
        if count_items(text.encode("ascii"), limit) > limit:
            raise SerializationError(
                f"value holds more than max_decompressed_items={limit} JSON values", **where
            )

    def _inflate(self, packed: bytes) -> bytes:
        limit = self.max_decompressed_size
        inflater = zlib.decompressobj(_GZIP_WBITS)
        # One byte more than allowed tells "exactly at the limit" from "beyond it"; the rest of
        # a bomb is never inflated.
        text = inflater.decompress(packed, limit + 1)
        if len(text) > limit:
            raise _TooLargeError
        if not inflater.eof or inflater.unused_data:
            raise zlib.error("truncated or trailing data")
        return text


class _TooLargeError(Exception):
    pass


def _unbase64(payload: object) -> bytes:
    if not isinstance(payload, str):
        raise ValueError("payload is not a string")
    return b64decode_strict(payload)


def _unreadable(reason: str, collection: str | None, key: str) -> DeserializationError:
    # Fixed reasons only: the exceptions of the codecs may quote the stored bytes.
    return DeserializationError(
        f"compressed value unreadable: {reason}", collection=collection, key=key
    )


class CompressionWrapper(AspectWrapper):
    """A store that gzips large values (the specification's ``CompressionWrapper``).

    Args:
        key_value: The store to wrap.
        min_size_to_compress: Compress values whose JSON is at least this many characters.
        max_decompressed_size: Refuse to inflate a stored value beyond this many bytes (and
            to write a value whose compact JSON is longer).
        max_decompressed_items: Refuse to parse a stored value of more JSON values than this
            (and to write one).

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = CompressionWrapper(key_value=MemoryStore(), min_size_to_compress=1024)
    """

    def __init__(
        self,
        key_value: Any,
        min_size_to_compress: int = 1024,
        max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
        max_decompressed_items: int = DEFAULT_MAX_DECOMPRESSED_ITEMS,
    ) -> None:
        aspect = Compression(
            min_size_to_compress=min_size_to_compress,
            max_decompressed_size=max_decompressed_size,
            max_decompressed_items=max_decompressed_items,
        )
        super().__init__(key_value, aspect)


compressed = DecoratorFactory(
    Compression,
    CompressionWrapper,
    name="compressed",
    doc="""Decorate a store class or instance so large values are stored gzipped.

    Works bare (``@compressed``) or with options (``@compressed(min_size_to_compress=512)``).

    Example:
        >>> from kvdeco import MemoryStore
        >>> @compressed(min_size_to_compress=512)
        ... class DocumentStore(MemoryStore):
        ...     pass
    """,
)
