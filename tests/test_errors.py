"""Errors: one tree under BaseKeyValueError, with where it happened and never a value."""

from __future__ import annotations

import pytest

import kvdeco
from kvdeco import errors
from kvdeco.errors import (
    BaseKeyValueError,
    EntryTooLargeError,
    InvalidTTLError,
    KeyValueOperationError,
    KeyValueStoreError,
    StoreConnectionError,
    StoreTimeoutError,
)


def test_every_error_class_is_a_kvdeco_error_exported_by_the_package() -> None:
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, Exception)
    ]
    assert len(classes) >= 15
    for cls in classes:
        assert issubclass(cls, BaseKeyValueError), cls
        assert getattr(kvdeco, cls.__name__) is cls


def test_the_message_says_where_but_not_what_was_stored() -> None:
    error = KeyValueOperationError("refused", operation="put", collection="users", key="u1")
    assert str(error) == "refused (operation=put, collection='users', key='u1')"
    assert (error.operation, error.collection, error.key) == ("put", "users", "u1")
    assert str(KeyValueOperationError("refused")) == "refused"


def test_a_huge_ttl_is_shown_shortened() -> None:
    error = InvalidTTLError(10**5000, operation="put")
    assert len(str(error)) < 200 and "too large to show" in str(error)
    assert error.ttl == 10**5000
    assert isinstance(error, ValueError)


def test_size_errors_carry_the_numbers_but_not_the_value() -> None:
    error = EntryTooLargeError(5000, 100, key="k")
    assert (error.size, error.max_size) == (5000, 100)
    assert "5000" in str(error) and "max_size=100" in str(error)


@pytest.mark.parametrize(
    ("error", "builtin"),
    [(StoreConnectionError("down"), ConnectionError), (StoreTimeoutError("slow"), TimeoutError)],
)
def test_backend_failures_are_also_the_builtin_errors_retries_look_for(
    error: KeyValueStoreError, builtin: type[Exception]
) -> None:
    assert isinstance(error, builtin) and isinstance(error, KeyValueStoreError)
    assert not isinstance(error, KeyValueOperationError)
