"""Key order of JSON objects that AWS builds in Java ``HashMap``s.

Step Functions runs on the JVM: objects it assembles itself (the ``.$`` fields of a payload
template, the result of ``States.JsonMerge``) come out in ``java.util.HashMap`` iteration
order, not in definition order. Values are unaffected; only JSON text (history payloads,
``output``) shows the order. This reproduces that order so text comparisons match AWS.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["hashmap_order", "java_string_hash"]

_MASK = 0xFFFFFFFF


def java_string_hash(text: str) -> int:
    """``String.hashCode()`` as an unsigned 32-bit int (over UTF-16 code units)."""
    data = text.encode("utf-16-be", "surrogatepass")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & _MASK
    return h


def hashmap_order(keys: Sequence[str]) -> list[str]:
    """``keys`` in the iteration order of a default ``HashMap`` they were put into, in order.

    Buckets are visited in index order (index = spread hash & (capacity - 1), capacity 16
    doubling past a 0.75 load factor); a bucket keeps insertion order.
    """
    capacity = 16
    while len(keys) > capacity * 3 // 4:
        capacity *= 2
    mask = capacity - 1

    def bucket(key: str) -> int:
        h = java_string_hash(key)
        return (h ^ (h >> 16)) & mask

    positions = {key: i for i, key in enumerate(keys)}
    return sorted(keys, key=lambda key: (bucket(key), positions[key]))
