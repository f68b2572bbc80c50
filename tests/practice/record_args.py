"""A stand-in player for tests: writes its arguments (after the first, the file) as JSON."""

import json
import sys

with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(sys.argv[2:], f)
