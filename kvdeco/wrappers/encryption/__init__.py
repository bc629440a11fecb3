"""Encrypt every value before it reaches the store: Fernet, or any cipher you supply.

The stored format, its two versions and the errors are described in
:mod:`kvdeco.wrappers.encryption.base`.
"""

from kvdeco.wrappers.encryption.base import (
    BaseEncryptionWrapper,
    Cipher,
    Encryption,
    EncryptionOptions,
    EnvelopeEncryption,
    UnsupportedEnvelopeVersionError,
)
from kvdeco.wrappers.encryption.fernet import (
    FernetEncryption,
    FernetEncryptionWrapper,
    StrictFernet,
    derive_fernet_key,
    encrypted,
)
from kvdeco.wrappers.encryption.rotation import reencrypt_collection

__all__ = [
    "BaseEncryptionWrapper",
    "Cipher",
    "Encryption",
    "EncryptionOptions",
    "EnvelopeEncryption",
    "FernetEncryption",
    "FernetEncryptionWrapper",
    "StrictFernet",
    "UnsupportedEnvelopeVersionError",
    "derive_fernet_key",
    "encrypted",
    "reencrypt_collection",
]
