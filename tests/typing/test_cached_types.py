"""Static types of ``cached``, checked by ``mypy --strict``; run, the module only builds objects."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from kvdeco import MemoryStore
from kvdeco.caching import BoundCachedFunction, CachedFunction, cached

store = MemoryStore()


@cached(store, ttl=60)
async def profile(user_id: int, *, detail: bool = False) -> dict[str, Any]:
    """A cached function."""
    return {"id": user_id, "detail": detail}


class Repository:
    @cached(store)
    async def find(self, item: str) -> list[str]:
        """A cached method."""
        return [item]


async def check_function_types() -> None:
    await profile(1, detail="yes")  # type: ignore[arg-type]
    assert_type(await profile(1, detail=True), dict[str, Any])
    assert_type(profile.key_for(1), str)
    assert_type(await profile.invalidate(1), bool)
    assert_type(await profile.refresh(1), dict[str, Any])


async def check_method_types() -> None:
    repository = Repository()
    await repository.find(1)  # type: ignore[arg-type]
    assert_type(await repository.find("a"), list[str])
    assert_type(repository.find.key_for("a"), str)
    assert_type(await repository.find.invalidate("a"), bool)


# Each ``type: ignore`` above is a mistake mypy must report: with ``warn_unused_ignores`` an
# ignore that is no longer needed (a signature that stopped being checked) fails the check.


def test_the_typed_objects_are_built() -> None:
    assert isinstance(profile, CachedFunction)
    assert isinstance(Repository().find, BoundCachedFunction)
