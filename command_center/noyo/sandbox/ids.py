"""Deterministic hashing, random streams and reversible UUIDs.

Every generated record is a pure function of (seed, kind, key), where ``key``
is an integer that locates it: a global index for records with org-wide
lists, ``parent * STRIDE + local`` for children. Its UUID carries the key in
its last 48 bits (masked per kind), so ``GET /employees/{id}`` finds the
record by arithmetic instead of a lookup table, and a forged or foreign UUID
fails the check and answers 404.
"""

from __future__ import annotations

import functools
import hashlib
import random

_KEY_BITS = 48
_KEY_MASK = (1 << _KEY_BITS) - 1


def digest(*parts: object, size: int = 8) -> bytes:
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=size).digest()


class Ids:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._masks: dict[str, int] = {}
        # A page of member requests names the same plans, members and enrollments over and
        # over; caching their UUIDs roughly halves the cost of a page.
        self.uuid = functools.lru_cache(maxsize=1 << 15)(self._uuid)

    def hash(self, *parts: object) -> int:
        """A 64-bit number fixed by the seed and the parts."""
        return int.from_bytes(digest(self.seed, *parts), "big")

    def unit(self, *parts: object) -> float:
        """A number in [0, 1) fixed by the seed and the parts."""
        return self.hash(*parts) / 2**64

    def rng(self, *parts: object) -> random.Random:
        return random.Random(self.hash(*parts))

    def _mask(self, kind: str) -> int:
        mask = self._masks.get(kind)
        if mask is None:
            mask = self._masks[kind] = self.hash("mask", kind) & _KEY_MASK
        return mask

    def _uuid(self, kind: str, key: int) -> str:
        head = digest(self.seed, "id", kind, key, size=10).hex()
        tail = (key ^ self._mask(kind)) & _KEY_MASK
        return f"{head[:8]}-{head[8:12]}-4{head[13:16]}-{_variant(head[16])}{head[17:20]}-{tail:012x}"

    def key(self, kind: str, uuid: str) -> int | None:
        """The key a UUID of this kind was made from, or None if it is not one of ours."""
        try:
            key = (int(uuid[-12:], 16) ^ self._mask(kind)) & _KEY_MASK
        except (ValueError, TypeError):
            return None
        return key if len(uuid) == 36 and self.uuid(kind, key) == uuid.lower() else None

    def version(self, kind: str, key: object, *state: object) -> str:
        """A record's version: changes exactly when its state (transition number, retry) changes."""
        raw = digest(self.seed, "version", kind, key, *state, size=16).hex()
        return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{_variant(raw[16])}{raw[17:20]}-{raw[20:32]}"


def _variant(hex_digit: str) -> str:
    return "89ab"[int(hex_digit, 16) % 4]


def weighted(u: float, options: tuple, weights: tuple):
    """The option a number in [0, 1) falls on; cheaper than ``Random.choices`` on hot paths."""
    point, total = u * sum(weights), 0
    for option, weight in zip(options, weights):
        total += weight
        if point < total:
            return option
    return options[-1]


def pick(rng: random.Random, cover_index: int, options: tuple, weights: tuple):
    """``options[cover_index]`` for the first few records, so every value appears at any scale;
    a weighted draw after that."""
    if 0 <= cover_index < len(options):
        return options[cover_index]
    return weighted(rng.random(), options, weights)
