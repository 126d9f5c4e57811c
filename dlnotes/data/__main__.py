"""`python -m dlnotes.data fetch [DATASET ...]`: download (or verify) the course data."""

from __future__ import annotations

import argparse
import os
import sys

from .registry import DataError, datasets, fetch_dataset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlnotes.data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the datasets")
    get = sub.add_parser("fetch", help="download or verify datasets (all when none is named)")
    get.add_argument("names", nargs="*", metavar="DATASET")
    args = parser.parse_args(argv)
    if args.command == "list":
        print("\n".join(datasets()))
        return 0
    where = os.environ.get("DLNOTES_DATA") or "the cache"
    try:
        for name in args.names or datasets():
            paths = fetch_dataset(name)
            print(f"{name}: {len(paths)} file(s) verified in {where}")
    except (DataError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
