"""Test harness of the notes: page parsing and execution, figure freshness, parity, site checks.

Each module is small and has unit tests in tests/test_harness.py showing it catches a
bad example.
"""
