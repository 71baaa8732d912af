"""Private attributes of dependencies, one module per dependency (see each module's docstring
for the versions it was checked against; tests/test_internals_*.py break on a release that
removes them)."""
