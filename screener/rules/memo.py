"""Work worth doing once per rule set: values worked out from a key, kept on the rule set
object that they were worked out with, bounded in size."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

V = TypeVar("V")


class Memo:
    """A bounded map from a key the code derives to a value worked out from it (least
    recently used dropped first). Values must be immutable, or copied by whoever hands
    them out: a cached value is shared by every screening that asks for it.

    Never keyed by a rule set's digest or name: a memo belongs to one rule set object,
    so a rule set that claims another's identity never reads another's work."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[no-any-return]
        value = make()  # outside the lock: two threads may both make it, alike
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
