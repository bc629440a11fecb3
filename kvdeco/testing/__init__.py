"""Tools to check that a store, or a stack of wrappers, keeps the store contract.

Subclass :class:`~kvdeco.testing.contract.StoreContract` in a pytest module and give it one
fixture, ``store``, that returns a fresh store::

    import pytest
    from kvdeco.testing import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store(self):
            return MyStore()
"""

from kvdeco.testing.contract import StoreContract, decorated_both_ways

__all__ = ["StoreContract", "decorated_both_ways"]
