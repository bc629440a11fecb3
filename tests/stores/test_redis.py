"""RedisStore keeps the store contract on a real server, in few round trips, in its namespace."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kvdeco import (
    StoreConnectionError,
    StoreTimeoutError,
    with_retry,
    with_statistics,
)
from kvdeco.errors import DeserializationError, InvalidKeyError, SerializationError
from kvdeco.stores.redis import RedisStore
from kvdeco.testing import RecordingStore, StoreContract
from tests.redis_server import free_port
from tests.stores._stack import wrapper_stack


@pytest.mark.redis
class TestRedisStoreContract(StoreContract):
    @pytest.fixture
    def store(self, redis_store: RedisStore) -> RedisStore:
        return redis_store


@pytest.mark.redis
class TestWrappedRedisStoreContract(StoreContract):
    @pytest.fixture
    def store(self, redis_store: RedisStore) -> Any:
        return wrapper_stack(redis_store)


@pytest.fixture
async def raw(redis_url: str) -> AsyncIterator[Any]:
    """A plain redis-py client on the same server, to look at what the store wrote."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.mark.redis
async def test_keys_are_namespaced_and_length_prefixed(redis_store: RedisStore, raw: Any) -> None:
    await redis_store.put("b:c", {"v": 1}, collection="a")
    await redis_store.put("c", {"v": 2}, collection="a:b")
    ns = redis_store.namespace
    assert await raw.get(f"{ns}:1:a:b:c") == b'{"v":1}'
    assert await raw.get(f"{ns}:3:a:b:c") == b'{"v":2}'
    assert await redis_store.get("b:c", collection="a") == {"v": 1}
    assert await redis_store.get("c", collection="a:b") == {"v": 2}


@pytest.mark.redis
async def test_values_are_compact_json(redis_store: RedisStore, raw: Any) -> None:
    await redis_store.put("k", {"a": [1, 2], "b": "é"})
    name = f"{redis_store.namespace}:18:default_collection:k"
    assert (await raw.get(name)).decode() == '{"a":[1,2],"b":"é"}'


@pytest.mark.redis
async def test_ttl_is_native_redis_expiry_in_milliseconds(
    redis_store: RedisStore, raw: Any
) -> None:
    await redis_store.put("k", {"v": 1}, ttl=1.5)
    pttl = await raw.pttl(f"{redis_store.namespace}:18:default_collection:k")
    assert 1000 < pttl <= 1500


@pytest.mark.redis
async def test_listing_and_destroying_stay_in_the_namespace(
    redis_url: str, redis_store: RedisStore, raw: Any
) -> None:
    neighbour = RedisStore(redis_url, namespace=redis_store.namespace + "-other")
    try:
        await neighbour.put("k", {"v": 0}, collection="x")
        await redis_store.put_many(["a", "b"], [{"v": 1}, {"v": 2}], collection="x:y")
        await redis_store.put("c", {"v": 3}, collection="*")
        assert sorted(await redis_store.collections()) == ["*", "x:y"]
        assert await redis_store.keys("*") == ["c"]
        assert await redis_store.collections(limit=1) in (["*"], ["x:y"])
        assert await redis_store.destroy() is True
        assert await redis_store.destroy() is False
        assert await redis_store.collections() == []
        assert await neighbour.get("k", collection="x") == {"v": 0}
    finally:
        await neighbour.destroy()
        await neighbour.close()


@pytest.mark.redis
async def test_destroy_collection_matches_the_collection_literally(
    redis_store: RedisStore,
) -> None:
    await redis_store.put("k", {"v": 1}, collection="a?")
    await redis_store.put("k", {"v": 2}, collection="ab")
    assert await redis_store.destroy_collection("a?") is True
    assert await redis_store.get("k", collection="ab") == {"v": 2}


@pytest.mark.redis
async def test_data_that_is_not_json_is_a_deserialization_error(
    redis_store: RedisStore, raw: Any
) -> None:
    await raw.set(f"{redis_store.namespace}:18:default_collection:k", b"not json")
    with pytest.raises(DeserializationError):
        await redis_store.get("k")


@pytest.mark.redis
async def test_a_given_client_is_used_and_left_open(raw: Any, redis_namespace: str) -> None:
    store = RedisStore(client=raw, namespace=redis_namespace)
    await store.put("k", {"v": 1})
    await store.close()
    assert await raw.ping()
    assert await store.get("k") == {"v": 1}
    await store.destroy()


async def _command_counts(client: Any) -> dict[str, int]:
    stats = await client.info("commandstats")
    return {name.removeprefix("cmdstat_"): entry["calls"] for name, entry in stats.items()}


@pytest.fixture
async def counted(private_redis_url: str) -> AsyncIterator[tuple[Any, Any]]:
    """A wrapped store on a server of this test run alone, and a client that reads its counts.

    The shared server's commandstats would also count other clients' commands.
    """
    import redis.asyncio

    inner = RedisStore(private_redis_url, namespace="counted")
    client = redis.asyncio.Redis.from_url(private_redis_url)
    await inner.get("warm-up")  # connect now: the handshake is not part of what is counted
    yield wrapper_stack(inner), client
    await inner.destroy()
    await inner.close()
    await client.aclose()


async def _commands_during(client: Any, work: Any) -> tuple[Any, dict[str, int]]:
    before = await _command_counts(client)
    result = await work
    after = await _command_counts(client)
    # The INFO command that read the first counts is itself counted in the second.
    delta = {name: after[name] - before.get(name, 0) for name in after if name != "info"}
    return result, {name: calls for name, calls in delta.items() if calls}


async def test_get_many_of_100_keys_through_the_wrapper_stack_is_one_mget(
    counted: tuple[Any, Any],
) -> None:
    store, client = counted
    keys = [f"k{i}" for i in range(100)]
    await store.put_many(keys, [{"i": i} for i in range(100)])
    values, commands = await _commands_during(client, store.get_many(keys))
    assert values == [{"i": i} for i in range(100)]
    assert commands == {"mget": 1}
    stored = await client.get("counted:18:default_collection:tenant:k0")
    assert "__encrypted_data__" in json.loads(stored)  # the values did go through the codecs


async def test_put_many_with_a_ttl_is_one_transaction(counted: tuple[Any, Any]) -> None:
    store, client = counted
    work = store.put_many(["a", "b", "c"], [{"n": 1}, {"n": 2}, {"n": 3}], ttl=60)
    _, commands = await _commands_during(client, work)
    assert commands == {"multi": 1, "set": 3, "exec": 1}


async def test_put_many_without_a_ttl_is_one_mset(counted: tuple[Any, Any]) -> None:
    store, client = counted
    _, commands = await _commands_during(client, store.put_many(["a", "b"], [{}, {}]))
    assert commands == {"mset": 1}


async def test_ttl_many_reads_values_and_ttls_in_one_pipeline(counted: tuple[Any, Any]) -> None:
    store, client = counted
    await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], ttl=60)
    result, commands = await _commands_during(client, store.ttl_many(["a", "b", "x"]))
    assert [value for value, _ in result] == [{"n": 1}, {"n": 2}, None]
    assert commands == {"get": 3, "pttl": 3}


async def test_delete_many_is_one_del(counted: tuple[Any, Any]) -> None:
    store, client = counted
    await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}])
    deleted, commands = await _commands_during(client, store.delete_many(["a", "b", "a", "x"]))
    assert deleted == 2
    assert commands == {"del": 1}


_pairs = st.tuples(st.text(), st.text())


@given(first=_pairs, second=_pairs)
def test_the_key_layout_never_lets_two_pairs_meet(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    store = RedisStore(namespace="ns")  # builds a client; connects only when used

    def name(pair: tuple[str, str]) -> str:
        return store._prefix(pair[0] or None, "test") + pair[1]

    if (first[0] or store.default_collection, first[1]) != (
        second[0] or store.default_collection,
        second[1],
    ):
        assert name(first) != name(second)
    assert store._split(name(first)) == (first[0] or store.default_collection, first[1])


@pytest.mark.redis
async def test_text_redis_cannot_hold_is_refused_with_kvdeco_errors(
    redis_store: RedisStore,
) -> None:
    with pytest.raises(SerializationError):
        await redis_store.put("k", {"v": "\udc00"})
    with pytest.raises(SerializationError):
        await redis_store.put("\ud800", {"v": 1})
    with pytest.raises(InvalidKeyError):
        await redis_store.get("\ud800")


async def test_an_unreachable_server_is_a_connection_error() -> None:
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    try:
        with pytest.raises(StoreConnectionError) as caught:
            await store.get("k")
        assert isinstance(caught.value, ConnectionError)
        with pytest.raises(ConnectionError):
            await store.put_many(["a"], [{"v": 1}])
    finally:
        await store.close()


async def test_retry_with_its_defaults_retries_an_unreachable_server() -> None:
    inner = RecordingStore(
        RedisStore(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    )
    store = with_retry(max_retries=2, initial_delay=0.001)(inner)
    try:
        with pytest.raises(StoreConnectionError):
            await store.get("k")
    finally:
        await inner.close()
    assert inner.calls == {"get": 3}


async def test_a_server_that_does_not_answer_is_a_timeout_error() -> None:
    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        store = RedisStore(f"redis://127.0.0.1:{port}/0", socket_timeout=0.2)
        try:
            with pytest.raises(StoreTimeoutError) as caught:
                await store.get("k")
        finally:
            await store.close()
    assert isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value, ConnectionError)


@pytest.mark.parametrize("namespace", ["", "a:b", 7])
def test_an_invalid_namespace_is_refused(namespace: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        RedisStore(namespace=namespace)


def test_client_and_url_together_are_refused() -> None:
    with pytest.raises(TypeError):
        RedisStore("redis://127.0.0.1:6379/0", client=object())


@pytest.mark.redis
async def test_host_port_and_db_given_as_keywords_are_the_server_used(
    redis_url: str, redis_namespace: str
) -> None:
    import urllib.parse

    import redis.asyncio

    address = urllib.parse.urlsplit(redis_url)
    assert address.hostname is not None and address.port is not None
    store = RedisStore(host=address.hostname, port=address.port, db=1, namespace=redis_namespace)
    db1 = redis.asyncio.Redis(host=address.hostname, port=address.port, db=1)
    try:
        await store.put("k", {"v": 1})
        assert await db1.get(f"{redis_namespace}:18:default_collection:k") == b'{"v":1}'
    finally:
        await store.destroy()
        await store.close()
        await db1.aclose()


@pytest.mark.parametrize(
    "options",
    [{"port": True}, {"port": 0}, {"db": -1}, {"db": "1"}, {"host": 3}],
)
def test_an_invalid_host_port_or_db_is_refused(options: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError), match=next(iter(options))):
        RedisStore(**options)


def test_url_and_host_together_are_refused() -> None:
    with pytest.raises(TypeError, match="host"):
        RedisStore("redis://127.0.0.1:6379/0", host="127.0.0.1")


@pytest.mark.redis
@pytest.mark.parametrize("limit", ["5", 2.5, True])
async def test_a_listing_limit_that_is_not_an_int_is_refused_by_name(
    redis_store: RedisStore, limit: object
) -> None:
    with pytest.raises(TypeError, match="limit"):
        await redis_store.keys(limit=limit)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit"):
        await redis_store.collections(limit=limit)  # type: ignore[arg-type]


@pytest.mark.redis
async def test_async_with_closes_the_pool(redis_url: str, redis_namespace: str, raw: Any) -> None:
    async def connected() -> bool:
        clients = await raw.client_list()
        return any(client["name"] == redis_namespace for client in clients)

    async with RedisStore(redis_url, namespace=redis_namespace, client_name=redis_namespace) as s:
        await s.put("k", {"v": 1})
        assert await connected()
        assert await s.delete("k") is True
    assert not await connected()


@pytest.mark.redis
async def test_passes_py_key_value_isinstance_check(redis_store: RedisStore) -> None:
    from key_value.aio.protocols.key_value import AsyncKeyValue

    assert isinstance(redis_store, AsyncKeyValue)
    assert isinstance(with_statistics(redis_store), AsyncKeyValue)
