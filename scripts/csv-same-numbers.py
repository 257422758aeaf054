#!/usr/bin/env python3
"""Shows that two CSV files hold the same values, whatever form their numbers are written in.

    /usr/bin/python3 scripts/csv-same-numbers.py OLD.csv NEW.csv [OLD2.csv NEW2.csv ...]

For each pair: every column of OLD must be in NEW (NEW may add columns), the rows must be as
many, and each cell of OLD must equal NEW's cell of the same row and column: a number as a
double, exactly (0.30070000000000002 and 0.3007 are the same double), any other text as it
is. Prints what it compared and exits 1 on the first pair that differs. Written to prove that
changing the CSV writer's number form (%.17g to the shortest round trip) changed no value.
"""
import csv
import math
import sys


def as_double(cell):
    """The double a cell holds, or None when it is not a number (text, or empty)."""
    try:
        x = float(cell)
    except ValueError:
        return None
    # "nan", "inf" and "infinity" parse as floats but the writer writes none of them as numbers.
    return x if math.isfinite(x) else None


def same_cell(old, new):
    a, b = as_double(old), as_double(new)
    if a is None or b is None:
        return old == new
    return a == b and math.copysign(1, a) == math.copysign(1, b)  # 0.0 and -0.0 differ


def compare(old_path, new_path):
    """(numbers compared, other cells compared, a list of differences)."""
    with open(old_path, newline="", encoding="utf-8") as f:
        old = list(csv.reader(f))
    with open(new_path, newline="", encoding="utf-8") as f:
        new = list(csv.reader(f))
    problems = []
    missing = [c for c in old[0] if c not in new[0]]
    if missing:
        return 0, 0, [f"columns missing in the new file: {missing}"]
    if len(old) != len(new):
        return 0, 0, [f"{len(old) - 1} rows, now {len(new) - 1}"]
    where = [new[0].index(c) for c in old[0]]
    numbers = texts = 0
    for i, (o, n) in enumerate(zip(old[1:], new[1:]), start=1):
        for k, cell in enumerate(o):
            other = n[where[k]]
            if as_double(cell) is not None:
                numbers += 1
            else:
                texts += 1
            if not same_cell(cell, other):
                problems.append(f"row {i}, {old[0][k]}: {cell!r} became {other!r}")
    return numbers, texts, problems


def main(paths):
    if not paths or len(paths) % 2:
        sys.exit(__doc__)
    failed = False
    for old_path, new_path in zip(paths[::2], paths[1::2]):
        numbers, texts, problems = compare(old_path, new_path)
        status = "same values" if not problems else f"{len(problems)} DIFFER"
        print(f"{new_path}: {numbers} numbers and {texts} other cells compared with {old_path}: {status}")
        for p in problems[:10]:
            print("  " + p)
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
