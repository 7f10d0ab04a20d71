"""Injected latency and the pacing that makes it accurate.

The mock is used as a measuring instrument: a benchmark asserts that the
time-to-first-token (TTFT) and decode rate it measures are within a few percent
of what was injected. Sleeping ``inter_token`` after each chunk would let the
per-chunk overhead accumulate, so :class:`Pacer` schedules every chunk against an
absolute deadline on the event-loop clock instead; errors then never add up.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass

#: Longest single sleep while waiting. Keeps long waits (first-token delays, stalls)
#: responsive to server shutdown and client disconnects without costing accuracy,
#: because the final sleep always targets the exact deadline.
POLL_INTERVAL = 0.05


@dataclass(frozen=True)
class Latency:
    """Simulated generation speed, in seconds.

    ``first_token`` is the delay before the first content token (TTFT);
    ``inter_token`` is the gap between consecutive content tokens (1 / decode rate).
    """

    first_token: float = 0.0
    inter_token: float = 0.0

    def __post_init__(self) -> None:
        for name in ("first_token", "inter_token"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"Latency.{name} must be a finite number of seconds, got {value!r}")
            if value < 0:
                raise ValueError(f"Latency.{name} must be >= 0, got {value!r}")

    def non_streaming_delay(self, pieces: int) -> float:
        """Time a non-streaming answer of ``pieces`` tokens takes to "generate"."""
        return self.first_token + self.inter_token * max(pieces - 1, 0)

    def to_dict(self) -> dict[str, float]:
        return {"first_token": self.first_token, "inter_token": self.inter_token}


async def sleep_until(deadline: float, should_stop: Callable[[], bool] = lambda: False) -> bool:
    """Sleep until ``deadline`` (event-loop clock); return False if ``should_stop`` cut it short.

    Always yields to the event loop at least once, even with zero latency: otherwise
    a stream would be written in one go without the server ever noticing that the
    client went away (asyncio then logs "socket.send() raised exception").
    """
    loop = asyncio.get_running_loop()
    await asyncio.sleep(0)
    while True:
        if should_stop():
            return False
        remaining = deadline - loop.time()
        if remaining <= 0:
            return True
        await asyncio.sleep(min(remaining, POLL_INTERVAL))


async def sleep_for(seconds: float, should_stop: Callable[[], bool] = lambda: False) -> bool:
    """Interruptible relative sleep; see :func:`sleep_until`."""
    return await sleep_until(asyncio.get_running_loop().time() + seconds, should_stop)


class Pacer:
    """Deadlines for streamed token ``i``: ``start + first_token + i * inter_token``.

    ``start`` is when the request arrived (event-loop clock), not when generation
    began, so request handling overhead is absorbed by the first-token delay.
    A token that goes out late (the process was descheduled) does not push the
    later ones back: they keep their deadlines, so the mean decode rate stays
    exact, at the price of a short burst after a long hiccup.
    """

    def __init__(self, latency: Latency, start: float, should_stop: Callable[[], bool]) -> None:
        self._inter = latency.inter_token
        self._base = start + latency.first_token
        self._should_stop = should_stop

    async def wait_for_token(self, index: int) -> bool:
        """Wait until token ``index`` is due; False when interrupted."""
        return await sleep_until(self._base + index * self._inter, self._should_stop)

    def restart_after_pause(self, index: int) -> None:
        """After a stall, make token ``index`` due one ``inter_token`` from now."""
        now = asyncio.get_running_loop().time()
        self._base = now + self._inter - index * self._inter
