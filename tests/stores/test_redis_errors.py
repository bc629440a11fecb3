"""Every failure of the Redis driver reaches the caller as a kvdeco error, and none quotes a value.

The classification is checked against redis-py's whole exception tree (walked, not listed), and
end to end against a real Redis Cluster, a refused port and a real server refusing writes.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis import exceptions as rex

from kvdeco import FallbackWrapper, MemoryStore, RetryWrapper
from kvdeco.cli import main
from kvdeco.errors import (
    BaseKeyValueError,
    KeyValueStoreError,
    StoreConnectionError,
    StoreSetupError,
    StoreTimeoutError,
)
from kvdeco.stores.redis import RedisStore, _failure
from kvdeco.testing import RecordingStore
from tests.redis_server import RedisProcess, free_port, require_redis_server
from tests.security.canary import CANARY, rendered

# What redis-py makes of a failed pipeline command: the whole command, its value included.
QUOTED = (
    f'Command # 1 (SET kvdeco:1:c:k {{"password":"{CANARY}"}} PX 60000) of pipeline caused error: '
)


def _driver_errors() -> list[type[BaseException]]:
    return sorted(
        (
            kind
            for kind in vars(rex).values()
            if inspect.isclass(kind) and issubclass(kind, BaseException)
        ),
        key=lambda kind: kind.__name__,
    )


def _instance(kind: type[BaseException], text: str) -> BaseException:
    try:
        return kind(text)
    except Exception:  # a constructor that parses its text (AskError wants "slot host:port")
        error = kind.__new__(kind)
        error.args = (text,)
        return error


def _expected(kind: type[BaseException]) -> type[KeyValueStoreError]:
    if issubclass(kind, (rex.TimeoutError, TimeoutError)):
        return StoreTimeoutError
    if issubclass(kind, (rex.AuthenticationError, rex.AuthorizationError)):
        return KeyValueStoreError
    if issubclass(kind, (rex.ConnectionError, rex.ClusterDownError, rex.TryAgainError)):
        return StoreConnectionError
    if issubclass(kind, rex.SlotNotCoveredError):
        return StoreConnectionError
    return KeyValueStoreError


def test_the_walk_covers_the_trees_outside_redis_error() -> None:
    kinds = _driver_errors()
    assert len(kinds) > 30
    assert rex.RedisClusterException in kinds
    assert not issubclass(rex.RedisClusterException, rex.RedisError)


@pytest.mark.parametrize("kind", _driver_errors(), ids=lambda kind: kind.__name__)
def test_every_driver_error_becomes_a_kvdeco_error_without_the_value(
    kind: type[BaseException],
) -> None:
    for text in (QUOTED + "('ERR something',)", f"No targets were found to execute {CANARY}"):
        failure = _failure(_instance(kind, text), "put_many", "c", "k")
        assert isinstance(failure, BaseKeyValueError)
        assert type(failure) is _expected(kind)
        assert CANARY not in str(failure)
        assert kind.__name__ in str(failure)


def test_a_cluster_that_cannot_be_reached_is_a_connection_error() -> None:
    error = rex.RedisClusterException(
        "Redis Cluster cannot be connected. Please provide at least one reachable node: "
        "Error 111 connecting to 127.0.0.1:1."
    )
    failure = _failure(error, "get", None, "k")
    assert type(failure) is StoreConnectionError
    assert "127.0.0.1:1" in str(failure)  # the address stays: it is what the user must fix


def test_a_server_reply_keeps_its_error_code_only() -> None:
    error = rex.ResponseError(
        QUOTED + f"('ERR unknown command, with args beginning with: {CANARY}',)"
    )
    assert str(_failure(error, "put_many", None)) == (
        "redis failed: ResponseError: the server answered ERR (operation=put_many)"
    )


# -- a cluster that cannot be reached, and a cluster URL naming a database -----------------------


@pytest.fixture
def refused_url() -> str:
    return f"redis://127.0.0.1:{free_port()}"


def test_a_cluster_url_with_a_database_is_a_setup_error(redis_cluster_url: str) -> None:
    with pytest.raises(StoreSetupError, match="db"):
        RedisStore(redis_cluster_url + "/12", cluster=True)


async def test_an_unreachable_cluster_is_retried_then_a_connection_error(refused_url: str) -> None:
    inner = RecordingStore(RedisStore(refused_url, cluster=True))
    store = RetryWrapper(inner, max_retries=2, initial_delay=0.01)
    with pytest.raises(StoreConnectionError) as caught:
        await store.get("k")
    assert inner.calls == {"get": 3}
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    await inner.close()


async def test_an_unreachable_cluster_falls_back(refused_url: str) -> None:
    backup = MemoryStore()
    await backup.put("k", {"from": "backup"})
    primary = RedisStore(refused_url, cluster=True)
    store = FallbackWrapper(primary, backup, fallback_on=(ConnectionError, TimeoutError))
    assert await store.get("k") == {"from": "backup"}
    await primary.close()


def test_the_command_line_exits_3_for_an_unreachable_cluster(
    refused_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = refused_url.replace("redis://", "redis+cluster://")
    assert main(["--url", url, "get", "k"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


async def test_a_refused_port_on_one_server_is_a_connection_error(refused_url: str) -> None:
    store = RedisStore(refused_url)
    with pytest.raises(StoreConnectionError):
        await store.put("k", {"secret": CANARY})
    await store.close()


# -- a real server that refuses writes: the error must not quote the value -----------------------


@pytest.fixture
async def full_server(tmp_path: Path) -> AsyncIterator[RedisStore]:
    """A private server with no memory left for writes (maxmemory 1 byte, noeviction)."""
    require_redis_server()
    with RedisProcess(tmp_path) as server:
        store = RedisStore(server.url, namespace=f"t{uuid.uuid4().hex}")
        try:
            await store.client.config_set("maxmemory", "1")
            await store.client.config_set("maxmemory-policy", "noeviction")
            yield store
        finally:
            await store.close()


@pytest.mark.parametrize("ttl", [None, 60])
async def test_a_refused_bulk_write_does_not_quote_the_value(
    full_server: RedisStore, ttl: int | None
) -> None:
    with pytest.raises(KeyValueStoreError) as caught:
        await full_server.put_many(["a", "b"], [{"x": 1}, {"password": CANARY}], ttl=ttl)
    assert any(name in str(caught.value) for name in ("OutOfMemoryError", "ExecAbortError"))
    assert CANARY not in rendered(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


async def test_a_refused_write_does_not_quote_the_value(full_server: RedisStore) -> None:
    with pytest.raises(KeyValueStoreError) as caught:
        await full_server.put("k", {"password": CANARY}, ttl=60)
    assert "OutOfMemoryError" in str(caught.value)
    assert CANARY not in rendered(caught.value)
