"""Developer tools: benchmarks, catalogue upkeep, mutation and listening checks. Not installed
with the package; the tests import a few of them as `scripts.<module>`."""
