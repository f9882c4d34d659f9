#!/usr/bin/env python3
"""Reads /metrics with the Prometheus client's own text-format parser (python3-prometheus-
client), so the test checks what a Prometheus server would read, not what a grep finds.

  promcheck.py FILE     parses FILE, checks the families feedmerge promises, and prints
                        "NAME{label=value,...} VALUE" for every sample, sorted
Exit 0 when it parses and the checks hold, 1 with the reasons, 77 without the parser.
"""
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    sys.exit(77)

EXPECTED = {
    "feedmerge_sources": "gauge",
    "feedmerge_fetches": "counter",
    "feedmerge_fetch_bytes": "counter",
    "feedmerge_entries_new": "counter",
    "feedmerge_entries_updated": "counter",
    "feedmerge_fetch_duration_seconds": "histogram",
    "feedmerge_database_bytes": "gauge",
    "feedmerge_entries": "gauge",
    "feedmerge_source_last_success_timestamp_seconds": "gauge",
    "feedmerge_source_last_http_status": "gauge",
    "feedmerge_source_consecutive_failures": "gauge",
    "feedmerge_source_not_modified_ratio": "gauge",
    "feedmerge_source_fetches": "counter",
    "feedmerge_source_entries_new": "counter",
}


def main(path):
    text = open(path, encoding="utf-8").read()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    bad = []
    for name, kind in EXPECTED.items():
        if name not in families:
            bad.append(f"missing family {name}")
        elif families[name].type != kind:
            bad.append(f"{name}: type {families[name].type}, want {kind}")
    h = families.get("feedmerge_fetch_duration_seconds")
    if h is not None:
        buckets = [s for s in h.samples if s.name.endswith("_bucket")]
        values = [s.value for s in buckets]
        if values != sorted(values):
            bad.append("histogram buckets not cumulative")
        count = [s.value for s in h.samples if s.name.endswith("_count")]
        if not buckets or buckets[-1].labels.get("le") != "+Inf" or count != [values[-1]]:
            bad.append("histogram +Inf bucket differs from _count")
    lines = []
    for f in families.values():
        for s in f.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            lines.append(f"{s.name}{{{labels}}} {s.value:g}")
    for line in sorted(lines):
        print(line)
    for b in bad:
        print("BAD: " + b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
