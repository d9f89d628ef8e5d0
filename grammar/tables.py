"""`python -m grammar.tables`: rebuild the shipped parser tables after editing the grammar.

A test fails while the tables are stale, and says to run this. The file is
rewritten only when the grammar or Lark's version changed: Lark numbers its
states in an order that differs from run to run, so rebuilding an unchanged
grammar would give git a change that means nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from grammar import TABLES_FILE, build_parser, grammar_text, serialised_tables, shipped_tables_key, tables_key


def main() -> int:
    target = Path(__file__).with_name(TABLES_FILE)
    key = tables_key(grammar_text())
    if shipped_tables_key() == key:
        print(f"{target} is up to date")
        return 0
    data = serialised_tables(build_parser(), key)
    target.write_bytes(data)
    print(f"wrote {target} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
