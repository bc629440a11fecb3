"""Stores: where values live.

- ``MemoryStore`` (:mod:`kvdeco.stores.memory`): in this process, needs nothing.
- ``DiskStore`` (:mod:`kvdeco.stores.disk`): one SQLite file, shared safely between processes.
- ``RedisStore`` (:mod:`kvdeco.stores.redis`): a Redis server or Redis Cluster
  (``pip install 'kvdeco[redis]'``).
- ``adapt()`` (:mod:`kvdeco.stores.adapter`): another library's store as a kvdeco store.
"""
