"""What an operation's result says about it, for the layers that report on calls.

Telemetry (spans, metrics) and statistics describe an operation the same way: a read found
some keys and missed others, a delete removed some. Computing it here keeps them in agreement.
"""

from __future__ import annotations

from typing import Any

from kvdeco.operations import Call, Kind

__all__ = ["found_and_missed", "outcome"]


def found_and_missed(call: Call, result: Any) -> tuple[int, int]:
    """How many keys a read found and missed, or a delete removed and did not find.

    Other operations (writes, listings) count as ``(0, 0)``.
    """
    op = call.op
    if op.kind is Kind.READ:
        if not op.many:
            found = int((result[0] if op.with_ttl else result) is not None)
            return found, 1 - found
        hits = sum(1 for item in result if (item[0] if op.with_ttl else item) is not None)
        return hits, len(result) - hits
    if op.kind is Kind.DELETE and not op.capability:
        deleted = int(result) if op.many else int(bool(result))
        return deleted, len(call.keys) - deleted
    return 0, 0


def outcome(call: Call, result: Any) -> str:
    """One word for how a successful call ended: ``hit``, ``miss``, ``partial`` or ``ok``.

    A single-key read or delete is a ``hit`` or a ``miss``; a bulk one is a ``hit`` when every
    key was found, a ``miss`` when none was, ``partial`` otherwise. Everything else is ``ok``.
    """
    op = call.op
    if not (op.kind is Kind.READ or (op.kind is Kind.DELETE and not op.capability)):
        return "ok"
    found, missed = found_and_missed(call, result)
    if not missed:
        return "hit" if found or not op.many else "ok"
    return "miss" if not found else "partial"
