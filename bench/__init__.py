"""Benchmarks: `make bench`; each script prints figures and, last, one summary line."""
