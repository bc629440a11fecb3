"""Fernet encryption of every value, with a key, a ``MultiFernet`` or a password.

Example:
    >>> from cryptography.fernet import Fernet
    >>> from kvdeco import MemoryStore
    >>> fernet = Fernet(Fernet.generate_key())
    >>> store = FernetEncryptionWrapper(key_value=MemoryStore(), fernet=fernet)

See :mod:`kvdeco.wrappers.encryption.base` for the stored format and the errors.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.wrappers._arguments import checked
from kvdeco.wrappers._base64 import is_canonical_tail
from kvdeco.wrappers.base import AspectWrapper
from kvdeco.wrappers.encryption.base import BaseEncryptionWrapper, EnvelopeEncryption

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from kvdeco.wrappers.encryption.base import EncryptionOptions

__all__ = [
    "KDF_ITERATIONS",
    "FernetEncryption",
    "FernetEncryptionWrapper",
    "StrictFernet",
    "derive_fernet_key",
    "encrypted",
]

KDF_ITERATIONS = 1_200_000
"""PBKDF2-HMAC-SHA256 rounds for password-derived keys, as py-key-value uses."""


@functools.lru_cache(maxsize=16)
def derive_fernet_key(source_material: str, salt: str) -> bytes:
    """Derive a Fernet key from a password and a salt, as py-key-value does.

    PBKDF2-HMAC-SHA256, 32 bytes, :data:`KDF_ITERATIONS` rounds, URL-safe base64. The result
    is cached per (source material, salt): the derivation takes about a second on purpose.
    """
    raw = PBKDF2HMAC(
        algorithm=hashes.SHA256(), length=32, salt=salt.encode(), iterations=KDF_ITERATIONS
    ).derive(source_material.encode())
    return base64.urlsafe_b64encode(raw)


@dataclasses.dataclass(frozen=True)
class StrictFernet:
    """A Fernet (or MultiFernet) that accepts a token only in its one canonical spelling.

    Fernet decodes tokens leniently: the spare bits of the last base64 character are ignored,
    so a token changed there still decrypts. This refuses any token that does not re-encode
    to itself, so that any change to a stored token is detected.
    """

    fernet: Fernet | MultiFernet

    def encrypt(self, data: bytes, /) -> bytes:
        """Return a Fernet token for ``data`` (encrypted with the first key of a MultiFernet)."""
        return self.fernet.encrypt(data)

    def decrypt(self, token: bytes, /) -> bytes:
        """Return the data of ``token``; raise ``InvalidToken`` unless it verifies."""
        if not _is_canonical(token):
            raise InvalidToken
        return self.fernet.decrypt(token)


_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_URLSAFE_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="


def _is_canonical(token: bytes) -> bool:
    # Fernet's lenient decoding would skip other characters and read "+" and "/" as "-" and
    # "_"; past those, only the spare bits of the last quantum can spell a token twice.
    if len(token) % 4 or token.translate(None, _URLSAFE_ALPHABET):
        return False
    # The tail compared in the standard alphabet (a one-to-one swap of two characters): the
    # base64 module's URL-safe helpers cost more than the check.
    return is_canonical_tail(token[-4:].translate(_TO_STANDARD))


def _fernet(value: Any, name: str) -> Fernet | MultiFernet | None:
    if value is not None and not isinstance(value, (Fernet, MultiFernet)):
        raise TypeError(f"{name} must be a Fernet or MultiFernet, not {type(value).__name__}")
    return value


def _key_material(value: Any, name: str) -> str | None:
    # Never echoed: a password or a salt.
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def _rebuild(fernet: Fernet | MultiFernet, options: dict[str, Any]) -> FernetEncryption:
    return FernetEncryption(fernet, **options)


@dataclasses.dataclass(frozen=True, repr=False)
class FernetEncryption(EnvelopeEncryption):
    """The aspect behind :func:`encrypted`: Fernet, with a key or with a password.

    Give ``fernet``, or ``source_material`` and ``salt`` to derive the key from (none of
    them is shown in a repr). Two aspects are equal when they have the same ``Fernet``
    object, or the same password and salt, and the same options.

    Attributes:
        fernet: A ``Fernet``, or a ``MultiFernet`` to rotate keys.
        source_material: Instead of ``fernet``: a password to derive the key from.
        salt: With ``source_material``: the salt of the derivation.
    """

    fernet: Fernet | MultiFernet | None = dataclasses.field(
        default=None, repr=False, metadata=checked(_fernet)
    )
    _: dataclasses.KW_ONLY
    source_material: str | None = dataclasses.field(
        default=None, repr=False, metadata=checked(_key_material)
    )
    salt: str | None = dataclasses.field(default=None, repr=False, metadata=checked(_key_material))

    def __post_init__(self) -> None:
        super().__post_init__()
        # Messages never echo the arguments: they are key material.
        if self.fernet is not None:
            if self.source_material is not None or self.salt is not None:
                raise ValueError("give either fernet or source_material and salt, not both")
        else:
            for name in ("source_material", "salt"):
                if getattr(self, name) is None:
                    raise ValueError(
                        f"give fernet, or both source_material and salt ({name} is missing)"
                    )
            # Derived now, not by the first operation: the derivation takes a second on purpose.
            _ = self.cipher

    @functools.cached_property
    def cipher(self) -> StrictFernet:
        """The Fernet the values are sealed with, accepting canonical tokens only."""
        fernet = self.fernet
        if fernet is None:
            assert self.source_material is not None and self.salt is not None
            fernet = Fernet(derive_fernet_key(self.source_material, self.salt))
        return StrictFernet(fernet)

    def __reduce__(self) -> tuple[Any, ...]:
        # A pickle holds the key, never the password it was derived from.
        shared = dataclasses.fields(EnvelopeEncryption)
        options = {field.name: getattr(self, field.name) for field in shared}
        return (_rebuild, (self.cipher.fernet, options))


class FernetEncryptionWrapper(BaseEncryptionWrapper):
    """A store that encrypts every value with Fernet (the specification's wrapper).

    Args:
        key_value: The store to wrap.
        fernet: A ``Fernet``, or a ``MultiFernet`` to rotate keys (it encrypts with its first
            key and decrypts with any).
        source_material: Instead of ``fernet``: a password to derive the key from.
        salt: With ``source_material``: the salt of the derivation.
        **options: As :class:`~kvdeco.wrappers.encryption.base.EnvelopeEncryption` describes
            them: ``raise_on_decryption_error`` (``True``; ``False`` reads an entry that does
            not decrypt as missing), ``envelope_version`` (2 binds each value to its key and
            collection; 1 writes py-key-value's format, readable by py-key-value, but a moved
            entry goes unnoticed) and ``accept_v1`` (``None``: read version 1 envelopes only
            when writing them; ``True`` while migrating version 1 data).
    """

    def __init__(
        self,
        key_value: Any,
        fernet: Fernet | MultiFernet | None = None,
        *,
        source_material: str | None = None,
        salt: str | None = None,
        **options: Unpack[EncryptionOptions],
    ) -> None:
        aspect = FernetEncryption(
            fernet=fernet, source_material=source_material, salt=salt, **options
        )
        # The base's constructor builds an aspect around a cipher; this one is built already.
        AspectWrapper.__init__(self, key_value, aspect)


encrypted = CalledDecoratorFactory(
    FernetEncryption,
    FernetEncryptionWrapper,
    name="encrypted",
    doc="""Decorate a store class or instance so every value is stored Fernet-encrypted.

    Takes the arguments of :class:`FernetEncryptionWrapper`.

    Example:
        >>> from cryptography.fernet import Fernet
        >>> from kvdeco import MemoryStore
        >>> @encrypted(Fernet(Fernet.generate_key()))
        ... class SecretStore(MemoryStore):
        ...     pass
    """,
)
