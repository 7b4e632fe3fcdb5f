"""The micro-benchmark suite of ADR 030: one benchmark per capability, named after it
(`test_<capability>`, parametrised cases `test_<capability>[...]`)."""

import itertools

import pytest

from capabilities.metrics import MetricsCollector
from capabilities.rate_limiter import RateLimiter
from capabilities.schema_validator import validate


def order(items):
    return {
        "id": 1042,
        "customer": "ada",
        "items": [{"sku": f"sku-{i}", "quantity": 1 + i % 3, "price": 9.5} for i in range(items)],
        "total": 9.5 * items,
    }


@pytest.mark.parametrize("items", [1, 100], ids=["small", "large"])
def test_schema_validator(measured, items):
    assert measured(validate, order(items)) == []


def test_rate_limiter(measured):
    ticks = itertools.count(step=0.01)  # 10 ms between bursts: one token back per client
    limiter = RateLimiter(clock=lambda: next(ticks))
    clients = [f"client-{i}" for i in range(50)]

    def burst():
        return sum(limiter.allow(c) for c in clients)

    assert measured(burst) == len(clients)


def test_metrics(measured):
    collector = MetricsCollector()

    def record():
        for i in range(20):
            collector.inc("requests", "schema_validator")
            collector.observe("capability_duration_seconds", "schema_validator", 0.001 * i)
        return collector.render()

    assert "requests_total" in measured(record)
