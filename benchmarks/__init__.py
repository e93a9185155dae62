"""Benchmarks: `make bench` (whole processes and internal phases against the sandbox)."""
