#!/usr/bin/env python3
"""Writes a synthetic supplier self-assessment set (answers.csv for `cpsf import self-assessment`).

    /usr/bin/python3 scripts/gen-self-assessment.py OUT.csv [--companies 3100] [--seed 1]
        [--ids e] [--dates]

Every number is made up, for tests and benchmarks; nothing is drawn from a real survey.
Each company gets a maturity m ~ Beta(2, 3) (most companies are weak, a few strong: a
skewed distribution); each requirement of the built-in catalogue a base rate (governance
and training answered implemented far more often than detection); a company answers
"implemented" for a requirement with probability base x (0.4 + 1.2 m), capped at 0.97, and
at ADVANCED (or HIGH_ADVANCED) rather than yes with a probability rising with m. About 6%
of the answers are left empty (missing) and 2% are n/a. Companies are named
"Supplier NNNN K.K." or, with --ids PREFIX, by ids PREFIX0, PREFIX1, ... (those of
`cpsf generate`: e0, e1, ...). With --dates each row has a date in 2025-2026. Seeded: the
same arguments write the same file.
"""
import argparse
import csv
import random
import sys

# Built-in catalogue requirement ids (model/catalogue/cpsf.textproto) and an illustrative base rate each.
BASE_RATES = {
    "CPS.GV-1": 0.85, "CPS.AT-1": 0.8, "CPS.AM-1": 0.7, "CPS.AC-1": 0.7, "CPS.MA-1": 0.65, "CPS.IP-1": 0.6,
    "CPS.CM-1": 0.6, "CPS.RA-1": 0.5, "CPS.RP-1": 0.45, "CPS.IP-9": 0.45, "CPS.SC-1": 0.4, "CPS.DS-1": 0.4,
    "CPS.RM-1": 0.35, "CPS.AE-1": 0.25, "CPS.DP-1": 0.2,
}


def answer(rng, base, maturity):
    u = rng.random()
    if u < 0.06:
        return ""
    if u < 0.08:
        return "n/a"
    if rng.random() >= min(0.97, base * (0.4 + 1.2 * maturity)):
        return rng.choice(("no", "no", "not implemented", "0"))
    v = rng.random()
    if v < 0.1 * maturity:
        return "HIGH_ADVANCED"
    if v < 0.6 * maturity:
        return "ADVANCED"
    return rng.choice(("yes", "yes", "implemented", "1"))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--companies", type=int, default=3100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--ids", help="name the companies PREFIX0, PREFIX1, ... (cpsf generate's enterprises: e)")
    p.add_argument("--dates", action="store_true", help="give each row a date")
    a = p.parse_args(argv)
    rng = random.Random(a.seed)
    rows = 0
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["company", "item", "answer", "date"] if a.dates else ["company", "item", "answer"])
        for i in range(a.companies):
            company = f"{a.ids}{i}" if a.ids else f"Supplier {i:04d} K.K."
            maturity = rng.betavariate(2, 3)
            day = f"202{rng.choice((5, 6))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            for requirement, base in BASE_RATES.items():
                cells = [company, requirement, answer(rng, base, maturity)]
                w.writerow(cells + [day] if a.dates else cells)
                rows += 1
    print(f"wrote {a.out}: {a.companies} companies, {rows} answers (seed {a.seed})", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
