"""The ``kvdeco`` command: the demo and inspecting live stores with exit codes.

The commands run in process through ``main(argv)`` (standard output and error captured), and
once through ``python -m kvdeco`` in a subprocess. Stores are real: a SQLite file per test, and
the shared Redis server (``redis_url`` of the test suite's conftest) under a namespace of the
test's own, deleted afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from kvdeco import unwrap
from kvdeco.cli import ExitCode, main
from kvdeco.wrappers.compression import CompressionWrapper
from kvdeco.wrappers.encryption import FernetEncryptionWrapper
from kvdeco.wrappers.prefix_collections import PrefixCollectionsWrapper
from kvdeco.wrappers.prefix_keys import PrefixKeysWrapper

ROOT = Path(__file__).resolve().parent.parent
KEY_VARIABLE = "KVDECO_TEST_FERNET_KEY"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    """Run the command; return its exit code, its standard output as JSON (or text), stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    try:
        out: Any = json.loads(captured.out)
    except ValueError:
        out = captured.out
    return code, out, captured.err


def disk_store(path: Path) -> Any:
    disk = pytest.importorskip("kvdeco.stores.disk")
    return disk.DiskStore(path)


async def write(store: Any, key: str, value: dict[str, Any], **options: Any) -> None:
    try:
        await store.put(key, value, **options)
    finally:
        await unwrap(store).close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite3"


@pytest.fixture
def fernet_key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    key = Fernet.generate_key()
    monkeypatch.setenv(KEY_VARIABLE, key.decode())
    return key


# -- demo ---------------------------------------------------------------------------------


def test_demo_runs_the_production_stack_and_shows_each_layers_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "demo", "--operations", "400")
    assert code == ExitCode.OK
    assert (
        "stack: StatisticsWrapper > RetryWrapper > TimeoutWrapper > CompressionWrapper > "
        "FernetEncryptionWrapper > MemoryStore" in out
    )
    for counted in ("get", "ttl", "put", "delete"):
        assert f"\n{counted} " in out
    lines = out.splitlines()
    document = lines.index(next(line for line in lines if line.startswith("documents/")))
    value, gzip, stored = lines[document + 1 : document + 4]
    assert value.split()[0] == "value" and '"body"' in value
    assert gzip.split()[0] == "+gzip" and "__compressed_data__" in gzip
    assert stored.split()[0] == "+fernet" and "__encrypted_data__" in stored


def test_demo_can_use_a_store_named_by_url_and_leaves_nothing_behind(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    pytest.importorskip("kvdeco.stores.disk")
    code, out, _ = run(capsys, "--url", str(db), "demo", "--operations", "200")
    assert code == ExitCode.OK and "stack: StatisticsWrapper" in out
    code, out, _ = run(capsys, "--url", str(db), "collections")
    assert code == ExitCode.OK
    for collection in out["collections"]:
        assert run(capsys, "--url", str(db), "keys", "-c", collection)[1]["keys"] == []


def test_python_dash_m_kvdeco_runs_the_demo() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "kvdeco", "demo", "--operations", "100"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "hit rate" in done.stdout


# -- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--prefix-keys", "a:b"], "separator"),
        (["--prefix-collections", "a:b"], "separator"),
        (["--separator", ""], "--separator must not be empty"),
        (["--namespace", "tenant"], "--namespace applies to a Redis --url only"),
    ],
)
def test_options_that_cannot_work_are_usage_errors(
    capsys: pytest.CaptureFixture[str], db: Path, options: list[str], said: str
) -> None:
    code, out, err = run(capsys, "--url", f"disk://{db}", *options, "keys")
    assert (code, out) == (ExitCode.USAGE, "")
    assert said in err


def test_a_redis_url_whose_database_is_not_a_number_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Checked before connecting: redis-py would quietly use database 0.
    code, _, err = run(capsys, "--url", "redis://127.0.0.1:1/notadb", "keys")
    assert code == ExitCode.USAGE
    assert "'notadb'" in err


@pytest.mark.redis
def test_a_redis_database_the_server_does_not_have_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], redis_url: str
) -> None:
    base = redis_url.rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url
    code, _, err = run(capsys, "--url", f"{base}/99999", "keys")
    assert code == ExitCode.USAGE
    assert "no database 99999" in err


# -- inspecting a store -----------------------------------------------------------------------


def test_put_get_ttl_keys_collections_delete_on_a_disk_store(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    pytest.importorskip("kvdeco.stores.disk")
    url = f"disk://{db}"
    code, out, _ = run(capsys, "--url", url, "put", "user:1", '{"name": "Ada"}', "-c", "users")
    assert (code, out) == (ExitCode.OK, {"collection": "users", "key": "user:1", "stored": True})
    run(capsys, "--url", url, "put", "user:2", '{"name": "Bo"}', "-c", "users", "--ttl", "600")

    code, out, _ = run(capsys, "--url", url, "get", "user:1", "-c", "users")
    assert code == ExitCode.OK
    assert out == {"collection": "users", "key": "user:1", "encoding": [], "value": {"name": "Ada"}}
    code, out, _ = run(capsys, "--url", str(db), "ttl", "user:2", "-c", "users")
    assert code == ExitCode.OK and 590 < out["ttl"] <= 600
    assert run(capsys, "--url", url, "ttl", "user:1", "-c", "users")[1]["ttl"] is None
    assert run(capsys, "--url", url, "keys", "-c", "users")[1]["keys"] == ["user:1", "user:2"]
    assert run(capsys, "--url", url, "collections")[1] == {"collections": ["users"]}

    code, out, _ = run(capsys, "--url", url, "delete", "user:1", "-c", "users")
    assert (code, out["deleted"]) == (ExitCode.OK, True)
    assert run(capsys, "--url", url, "keys", "-c", "users")[1]["keys"] == ["user:2"]


def test_a_missing_key_exits_with_not_found(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    for url in ("memory://", str(db)):
        if url != "memory://":
            pytest.importorskip("kvdeco.stores.disk")
        code, out, err = run(capsys, "--url", url, "get", "nobody", "-c", "users")
        assert code == ExitCode.NOT_FOUND and out == ""
        assert "no entry for key 'nobody' in collection 'users'" in err
        assert run(capsys, "--url", url, "delete", "nobody")[0] == ExitCode.NOT_FOUND


def test_the_value_can_come_from_standard_input(
    capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("kvdeco.stores.disk")
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(read=lambda: '{"from": "stdin"}'))
    assert run(capsys, "--url", str(db), "put", "k", "-")[0] == ExitCode.OK
    assert run(capsys, "--url", str(db), "get", "k")[1]["value"] == {"from": "stdin"}


def test_reads_through_the_prefix_an_application_uses(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    asyncio.run(write(PrefixKeysWrapper(disk_store(db), "billing"), "invoice:7", {"total": 70}))
    code, out, _ = run(capsys, "--url", str(db), "--prefix-keys", "billing", "get", "invoice:7")
    assert (code, out["value"]) == (ExitCode.OK, {"total": 70})
    assert run(capsys, "--url", str(db), "keys")[1]["keys"] == ["billing:invoice:7"]
    assert run(capsys, "--url", str(db), "--prefix-keys", "billing", "keys")[1]["keys"] == [
        "invoice:7"
    ]


def test_reads_through_both_prefixes_with_py_key_values_separator(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    view = PrefixCollectionsWrapper(
        PrefixKeysWrapper(disk_store(db), "app", separator="__"), "prod", separator="__"
    )
    asyncio.run(write(view, "user:1", {"name": "Ada"}, collection="users"))
    args = ("--url", str(db), "--separator", "__", "--prefix-keys", "app")
    code, out, _ = run(
        capsys, *args, "--prefix-collections", "prod", "get", "user:1", "-c", "users"
    )
    assert (code, out["value"]) == (ExitCode.OK, {"name": "Ada"})
    assert run(capsys, "--url", str(db), "keys", "-c", "prod__users")[1]["keys"] == ["app__user:1"]


def test_decrypts_and_decompresses_with_the_key_from_the_environment(
    capsys: pytest.CaptureFixture[str], db: Path, fernet_key: bytes
) -> None:
    store = CompressionWrapper(FernetEncryptionWrapper(disk_store(db), fernet=Fernet(fernet_key)))
    document = {"body": "quarterly numbers " * 200}
    asyncio.run(write(store, "report", document, collection="docs"))

    args = ("--url", str(db), "--fernet-key-env", KEY_VARIABLE, "get", "report", "-c", "docs")
    code, out, _ = run(capsys, *args)
    assert code == ExitCode.OK
    assert out["value"] == document and out["encoding"] == ["fernet v2", "gzip"]
    code, out, _ = run(capsys, "--url", str(db), "get", "report", "-c", "docs", "--raw")
    assert code == ExitCode.OK and set(out["stored"]) == {
        "__encrypted_data__",
        "__encryption_version__",
    }


def test_put_can_encrypt_and_compress_as_the_application_would(
    capsys: pytest.CaptureFixture[str], db: Path, fernet_key: bytes
) -> None:
    pytest.importorskip("kvdeco.stores.disk")
    value = json.dumps({"text": "x" * 2000})
    base = ("--url", str(db), "--fernet-key-env", KEY_VARIABLE)
    assert run(capsys, *base, "put", "k", value, "--compress")[0] == ExitCode.OK
    code, out, _ = run(capsys, *base, "get", "k")
    assert code == ExitCode.OK and out["encoding"] == ["fernet v2", "gzip"]
    assert out["value"] == {"text": "x" * 2000}


def test_an_encrypted_entry_without_a_key_exits_with_decryption_error(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    fernet = Fernet(Fernet.generate_key())
    asyncio.run(write(FernetEncryptionWrapper(disk_store(db), fernet=fernet), "k", {}))
    code, out, err = run(capsys, "--url", str(db), "get", "k")
    assert (code, out) == (ExitCode.DECRYPTION, "")
    assert "--fernet-key-env" in err


def test_a_wrong_key_exits_with_decryption_error_and_shows_no_key(
    capsys: pytest.CaptureFixture[str], db: Path, fernet_key: bytes
) -> None:
    other = Fernet(Fernet.generate_key())
    asyncio.run(write(FernetEncryptionWrapper(disk_store(db), fernet=other), "k", {}))
    code, out, err = run(capsys, "--url", str(db), "--fernet-key-env", KEY_VARIABLE, "get", "k")
    assert (code, out) == (ExitCode.DECRYPTION, "")
    assert "cannot decrypt" in err and fernet_key.decode() not in err


def test_several_comma_separated_keys_read_data_written_during_a_rotation(
    capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    store = FernetEncryptionWrapper(disk_store(db), fernet=Fernet(old))
    asyncio.run(write(store, "k", {"v": 1}))
    monkeypatch.setenv(KEY_VARIABLE, f"{new.decode()},{old.decode()}")
    code, out, _ = run(capsys, "--url", str(db), "--fernet-key-env", KEY_VARIABLE, "get", "k")
    assert (code, out["value"]) == (ExitCode.OK, {"v": 1})


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--url", "ftp://example.com", "get", "k"], "unknown store URL"),
        (["get", "k"], "needs a store"),
        (["--url", "memory://", "put", "k", "{not json"], "not valid JSON"),
        (["--url", "memory://", "put", "k", "[1, 2]"], "must be a JSON object"),
        (["--url", "memory://", "--fernet-key-env", "KVDECO_TEST_UNSET", "get", "k"], "not set"),
        (["--url", "memory://", "keys", "--limit", "0"], "--limit"),
        (["--url", "memory://", "put", "k", "{}", "--ttl", "-5"], "invalid ttl"),
        (["--url", "disk:///no/such/folder/store.sqlite3", "get", "k"], "cannot open"),
        (["--url", "/", "get", "k"], "is a directory"),
        (["demo", "--operations", "-5"], "--operations"),
    ],
)
def test_usage_errors_exit_with_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("KVDECO_URL", raising=False)
    monkeypatch.delenv("KVDECO_TEST_UNSET", raising=False)
    code, _, err = run(capsys, *argv)
    assert code == ExitCode.USAGE
    assert message in err


def test_an_invalid_fernet_key_is_a_usage_error_that_does_not_echo_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VARIABLE, "not-a-key-but-a-secret")
    code, _, err = run(capsys, "--url", "memory://", "--fernet-key-env", KEY_VARIABLE, "get", "k")
    assert code == ExitCode.USAGE
    assert KEY_VARIABLE in err and "not-a-key-but-a-secret" not in err


def test_bad_arguments_exit_with_2() -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--url", "memory://", "frobnicate"])
    assert exit_.value.code == ExitCode.USAGE


def test_an_unreachable_redis_exits_with_connection_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("kvdeco.stores.redis")
    # Nothing listens on port 1: the connection is refused at once.
    code, out, err = run(capsys, "--url", "redis://127.0.0.1:1/0", "get", "k")
    assert (code, out) == (ExitCode.CONNECTION, "")
    assert "cannot reach the store" in err


def test_messages_never_show_the_password_of_a_url(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("redis")
    code, _, err = run(capsys, "--url", "redis://app:hunter2@127.0.0.1:1/0", "get", "k")
    assert code == ExitCode.CONNECTION
    assert "hunter2" not in err and "redis://app:***@127.0.0.1:1/0" in err


# -- the real Redis ---------------------------------------------------------------------------


@pytest.fixture
def cli_redis(redis_url: str, redis_namespace: str) -> Iterator[tuple[str, ...]]:
    """The ``--url`` and ``--namespace`` arguments of a namespace deleted after the test."""
    from kvdeco.stores.redis import RedisStore

    yield ("--url", redis_url, "--namespace", redis_namespace)

    async def clean() -> None:
        store = RedisStore(redis_url, namespace=redis_namespace)
        try:
            await store.destroy()
        finally:
            await store.close()

    asyncio.run(clean())


@pytest.mark.redis
def test_inspects_a_live_redis(
    capsys: pytest.CaptureFixture[str], cli_redis: tuple[str, ...]
) -> None:
    base = cli_redis
    code, _, _ = run(capsys, *base, "put", "session:1", '{"user": "ada"}', "-c", "s", "--ttl", "60")
    assert code == ExitCode.OK
    code, out, _ = run(capsys, *base, "ttl", "session:1", "-c", "s")
    assert code == ExitCode.OK and out["value"] == {"user": "ada"} and 50 < out["ttl"] <= 60
    assert run(capsys, *base, "keys", "-c", "s")[1]["keys"] == ["session:1"]
    assert run(capsys, *base, "collections")[1]["collections"] == ["s"]
    assert run(capsys, *base, "delete", "session:1", "-c", "s")[0] == ExitCode.OK
    assert run(capsys, *base, "get", "session:1", "-c", "s")[0] == ExitCode.NOT_FOUND


@pytest.mark.redis
def test_demo_on_a_live_redis_cleans_up(
    capsys: pytest.CaptureFixture[str], cli_redis: tuple[str, ...]
) -> None:
    base = cli_redis
    code, out, _ = run(capsys, *base, "demo", "--operations", "200")
    assert code == ExitCode.OK and "hit rate" in out
    assert run(capsys, *base, "collections")[1]["collections"] == []
