"""The bottom layer: dates and 和暦, errors, safe writes. Imports nothing of teichaku above it."""
