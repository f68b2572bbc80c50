"""Catalogue upkeep (scripts/update-catalogues): extract the program's phrases into the template,
merge it into every language's .po, or (--check) list what is missing, empty or fuzzy."""

from __future__ import annotations

import sys

from catalogue_tools import PACKAGE_DIR, codes, problems, update_all


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        found = [p for code in codes() for p in problems(code)]
        print("\n".join(found) or "every catalogue is complete")
        return 1 if found else 0
    for path in update_all():
        print(f"wrote {path.relative_to(PACKAGE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
