"""Stores: where values live. ``MemoryStore`` is embedded and needs nothing."""
