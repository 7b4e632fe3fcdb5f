"""MetricsCollector: counters and latency histograms, rendered in Prometheus's text format."""

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class MetricsCollector:
    """Counts events and observes durations by capability."""

    def __init__(self):
        self.counters = {}
        self.histograms = {}

    def inc(self, name, capability):
        key = (name, capability)
        self.counters[key] = self.counters.get(key, 0) + 1

    def observe(self, name, capability, seconds):
        counts = self.histograms.setdefault((name, capability), [0] * (len(BUCKETS) + 1))
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                counts[i] += 1
        counts[-1] += 1

    def render(self):
        lines = []
        for (name, capability), value in sorted(self.counters.items()):
            lines.append(f'{name}_total{{capability="{capability}"}} {value}')
        for (name, capability), counts in sorted(self.histograms.items()):
            for bound, count in zip(BUCKETS, counts):
                lines.append(f'{name}_bucket{{capability="{capability}",le="{bound}"}} {count}')
            lines.append(f'{name}_bucket{{capability="{capability}",le="+Inf"}} {counts[-1]}')
        return "\n".join(lines) + "\n"
