"""Encrypt every value with any cipher that turns bytes into a token and back.

Each value is stored as an envelope ``{"__encrypted_data__": <standard base64 of the token>,
"__encryption_version__": <version>}``. Two envelope versions exist:

* **1**, py-key-value's: the token holds the value's compact JSON. Anyone who can write to
  the store can copy an envelope to another key or collection and it decrypts there as that
  entry's value: version 1 cannot tell.
* **2**, kvdeco's default: the token also holds the collection and the key the value was
  written under, and reading checks them, so a moved envelope is a
  :class:`~kvdeco.errors.DecryptionError`. ``None`` and ``""`` are bound as the default
  collection's name. py-key-value refuses version 2 as an unknown version.

A store that writes version 2 refuses version 1 envelopes unless ``accept_v1=True``: if it
read them, anyone who can write to the store could take a version 1 envelope (from a backup,
or from before a migration) and plant it under any key, where it would decrypt as that entry.
Reading data written by py-key-value, or by kvdeco with ``envelope_version=1``, therefore
takes ``accept_v1=True`` until :func:`~kvdeco.wrappers.encryption.reencrypt_collection` has
rewritten it as version 2. A store that writes version 1 reads version 1.

Neither version detects replay: an older envelope of the same key and collection (taken
before an update, say) decrypts when put back, and the TTL is not part of the token, so an
expired entry planted again without an expiry lives on. Binding a write counter or the expiry
would need a reader that knows the latest counter of every key, which a key-value store cannot
provide atomically next to the value; see the security page of the documentation.

A stored value without the marker key is returned as it is (as py-key-value does, so that a
store can be encrypted gradually): anyone able to write plain values to the store can
therefore still plant one.

Errors: a token that does not verify is a :class:`~kvdeco.errors.DecryptionError`; an envelope
that is not one (no or non-int version, non-string or non-base64 data, decrypted bytes that are
not a JSON object) a :class:`~kvdeco.errors.CorruptedDataError`; a version other than 1 and 2
(or a version 1 envelope that the reader does not accept)
an :class:`UnsupportedEnvelopeVersionError`, which is both a ``DecryptionError`` (as
py-key-value raises) and an :class:`~kvdeco.errors.EncryptionVersionError` (as its name says).
With ``raise_on_decryption_error=False`` all of these read as a missing entry instead.
"""

from __future__ import annotations

import binascii
import dataclasses
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypedDict, cast, runtime_checkable

from kvdeco.codec import ValueCodec
from kvdeco.errors import (
    CorruptedDataError,
    DecryptionError,
    EncryptionError,
    EncryptionVersionError,
)
from kvdeco.validation import collection_name
from kvdeco.wrappers._arguments import checked, flag
from kvdeco.wrappers._base64 import b64decode_canonical
from kvdeco.wrappers._json import dump_compact, load_object
from kvdeco.wrappers.base import AspectWrapper

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "BaseEncryptionWrapper",
    "Cipher",
    "Encryption",
    "EncryptionOptions",
    "EnvelopeEncryption",
    "UnsupportedEnvelopeVersionError",
]

DATA_KEY = "__encrypted_data__"
VERSION_KEY = "__encryption_version__"
ENVELOPE_VERSIONS = (1, 2)

_quote = json.encoder.encode_basestring_ascii  # ASCII JSON string: no newline can appear in it


@runtime_checkable
class Cipher(Protocol):
    """What encrypts values: ``Fernet`` and ``MultiFernet`` are ciphers as they are."""

    def encrypt(self, data: bytes, /) -> bytes:
        """Return an authenticated token for ``data``."""
        ...

    def decrypt(self, token: bytes, /) -> bytes:
        """Return the data of ``token``; raise if it does not verify."""
        ...


class UnsupportedEnvelopeVersionError(DecryptionError, EncryptionVersionError):
    """An envelope of a version this reader does not know (a newer kvdeco's, say)."""


def _cipher(value: Any, name: str) -> Cipher:
    if not (
        callable(getattr(value, "encrypt", None)) and callable(getattr(value, "decrypt", None))
    ):
        raise TypeError(f"{name} must have encrypt(bytes) and decrypt(bytes) methods")
    return cast("Cipher", value)


def _envelope_version(value: Any, name: str) -> int:
    if type(value) is not int or value not in ENVELOPE_VERSIONS:
        raise ValueError(f"{name} must be one of {ENVELOPE_VERSIONS}")
    return value


@dataclasses.dataclass(frozen=True, repr=False)
class EnvelopeEncryption(ValueCodec):
    """What every encryption aspect shares: the envelopes, and the options that shape them.

    A subclass says where its ``cipher`` comes from: :class:`Encryption` is given one, the
    Fernet aspect behind :func:`~kvdeco.wrappers.encryption.fernet.encrypted` builds one from
    a key or a password.

    Attributes:
        raise_on_decryption_error: False: an entry that does not decrypt reads as missing.
        envelope_version: 2 binds values to their key and collection; 1 is py-key-value's.
        accept_v1: Whether version 1 envelopes are read. ``None`` (the default) reads them
            only when writing them: a store writing version 2 refuses version 1 envelopes,
            which could be moved between keys. ``True`` while migrating data written in
            version 1 (by py-key-value, say) until it is re-encrypted.
    """

    label: ClassVar[str] = "encrypted"
    # Keyword-only, so that each subclass may put where its cipher comes from first.
    _: dataclasses.KW_ONLY
    raise_on_decryption_error: bool = dataclasses.field(default=True, metadata=checked(flag))
    envelope_version: int = dataclasses.field(default=2, metadata=checked(_envelope_version))
    accept_v1: bool | None = dataclasses.field(
        default=None, metadata=checked(flag, allow_none=True)
    )

    if TYPE_CHECKING:

        @property
        def cipher(self) -> Cipher:
            """Encrypts and decrypts bytes; each subclass provides it."""
            ...

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.accept_v1 is False and self.envelope_version == 1:
            raise ValueError("accept_v1=False would refuse the envelopes this store writes")

    @property
    def reads_v1(self) -> bool:
        """Whether version 1 envelopes are read (see ``accept_v1``)."""
        return self.envelope_version == 1 if self.accept_v1 is None else self.accept_v1

    def encode(
        self, value: Mapping[str, Any], key: str, collection: str | None, op: str
    ) -> Mapping[str, Any]:
        """Return the envelope of ``value``."""
        plain = dump_compact(value, op, collection, key).encode("ascii")
        if self.envelope_version == 2:
            plain = _binding(key, collection) + plain
        try:
            token = self.cipher.encrypt(plain)
        except Exception:
            raise EncryptionError(
                "the cipher failed to encrypt the value",
                operation=op,
                collection=collection,
                key=key,
            ) from None
        return {
            DATA_KEY: binascii.b2a_base64(token, newline=False).decode("ascii"),
            VERSION_KEY: self.envelope_version,
        }

    def decode(
        self, stored: dict[str, Any], key: str, collection: str | None
    ) -> dict[str, Any] | None:
        """Return the value in an envelope, ``None`` if unreadable and not raising."""
        if DATA_KEY not in stored:
            return stored
        try:
            return self._open(stored, key, collection)
        except DecryptionError:
            if self.raise_on_decryption_error:
                raise
            return None

    def _open(self, stored: dict[str, Any], key: str, collection: str | None) -> dict[str, Any]:
        version, payload = stored.get(VERSION_KEY), stored[DATA_KEY]
        if type(version) is not int:
            raise CorruptedDataError(
                "encrypted envelope without an int version", collection=collection, key=key
            )
        if version not in ENVELOPE_VERSIONS:
            raise UnsupportedEnvelopeVersionError(
                f"encrypted envelope of unsupported version {version}",
                collection=collection,
                key=key,
            )
        if version == 1 and not self.reads_v1:
            raise UnsupportedEnvelopeVersionError(
                "version 1 envelope refused: it is not bound to its key (accept_v1 is off)",
                collection=collection,
                key=key,
            )
        try:
            if not isinstance(payload, str):
                raise ValueError("not a string")
            # One spelling per token: any change to a stored envelope is detected.
            token = b64decode_canonical(payload)
        except ValueError:  # binascii.Error is a ValueError
            raise CorruptedDataError(
                "encrypted envelope whose data is not canonical base64",
                collection=collection,
                key=key,
            ) from None
        try:
            plain = self.cipher.decrypt(token)
        except Exception:
            # No chaining: the cipher's exception may carry token bytes.
            raise DecryptionError(
                "value does not decrypt: wrong key or tampered data", collection=collection, key=key
            ) from None
        if version == 2:
            binding = _binding(key, collection)
            if not plain.startswith(binding):
                raise DecryptionError(
                    "value was encrypted for another key or collection",
                    collection=collection,
                    key=key,
                )
            plain = plain[len(binding) :]
        try:
            return load_object(plain)
        except ValueError:
            raise CorruptedDataError(
                "decrypted data is not a JSON object", collection=collection, key=key
            ) from None


@dataclasses.dataclass(frozen=True, repr=False)
class Encryption(EnvelopeEncryption):
    """The aspect behind :class:`BaseEncryptionWrapper`: values sealed by the cipher it is given.

    Attributes:
        cipher: Encrypts and decrypts bytes; never shown in a repr.
    """

    cipher: Cipher = dataclasses.field(repr=False, metadata=checked(_cipher))


def _binding(key: str, collection: str | None) -> bytes:
    """The header a version 2 token starts with: the entry's place, then a newline.

    The bytes of ``json.dumps([collection, key], separators=(",", ":"))``, built from the JSON
    encoder's C string quoting alone (this runs on every read and write).
    """
    place = f"[{_quote(collection_name(collection))},{_quote(key)}]\n"
    return place.encode("ascii")


class EncryptionOptions(TypedDict, total=False):
    """The options every encryption wrapper takes, the fields of :class:`EnvelopeEncryption`.

    Their meanings and defaults are those of :class:`EnvelopeEncryption`'s attributes.
    """

    raise_on_decryption_error: bool
    envelope_version: int
    accept_v1: bool | None


class BaseEncryptionWrapper(AspectWrapper):
    """A store that encrypts every value with ``cipher``; the base of the Fernet wrapper.

    For another cipher, give any object with ``encrypt(bytes) -> bytes`` and
    ``decrypt(bytes) -> bytes`` (raising when a token does not verify), or subclass this and
    build the cipher in ``__init__``.

    Args:
        key_value: The store to wrap.
        cipher: Encrypts and decrypts bytes (an authenticated cipher: the envelope relies on
            it to detect tampering).
        **options: ``raise_on_decryption_error``, ``envelope_version`` and ``accept_v1``, as
            :class:`EnvelopeEncryption` describes them.
    """

    def __init__(
        self, key_value: Any, cipher: Cipher, **options: Unpack[EncryptionOptions]
    ) -> None:
        super().__init__(key_value, Encryption(cipher=cipher, **options))
