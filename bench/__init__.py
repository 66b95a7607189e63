"""Benchmarks: ``python -m bench [--quick]`` writes bench/RESULTS.md and bench/results.json.

They print numbers and never fail on a slow machine; see bench/README.md.
"""
