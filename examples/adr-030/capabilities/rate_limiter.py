"""RateLimiter: a token bucket per client."""

import time


class RateLimiter:
    """Allows `rate` requests a second per client, in bursts of up to `burst`."""

    def __init__(self, rate=100.0, burst=20, clock=time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.buckets = {}

    def allow(self, client):
        """Whether `client` may make a request now (and takes its token)."""
        now = self.clock()
        tokens, last = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self.buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        return allowed
