"""Function-result caching over kvdeco stores: :func:`cached` and what it returns."""

from kvdeco.caching.function import BoundCachedFunction, CachedFunction, CacheStatistics, cached

__all__ = ["BoundCachedFunction", "CacheStatistics", "CachedFunction", "cached"]
