"""The regulation: dated rule sets (fee tables, limits, caps) kept as data files,
and the checks and computations made with them."""
