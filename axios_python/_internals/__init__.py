"""Private attributes of dependencies, one module per dependency.

Each module names the versions it was checked against; tests/test_internals_*.py fail loudly
when a new release removes or renames what it touches.
"""
