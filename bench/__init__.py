"""Benchmarks that print figures (median, p95, ratio to a baseline measured in the same run)."""
