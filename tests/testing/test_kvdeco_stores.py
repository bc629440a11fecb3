"""kvdeco's stores pass the model check (their contracts run in tests/stores)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from kvdeco.stores.disk import DiskStore
from kvdeco.testing import ManualClock, StoreModelCheck


class TestDiskStoreModel(StoreModelCheck):
    @pytest.fixture
    def store_clock(self) -> ManualClock:
        return ManualClock()

    @pytest.fixture
    def store(self, tmp_path: Path, store_clock: ManualClock) -> DiskStore:
        return DiskStore(tmp_path / "kv.sqlite3", clock=store_clock)


@pytest.mark.redis
class TestRedisStoreModel(StoreModelCheck):
    # Real TTLs on a shared server: the short-lived entries get room to expire.
    machine_options: ClassVar[dict[str, Any]] = {"expiry_seconds": 0.05, "expiry_margin": 0.1}

    @pytest.fixture
    def store(self, redis_store: Any) -> Any:
        return redis_store
