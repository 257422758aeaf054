#!/usr/bin/env python3
"""Writes a synthetic CycloneDX 1.6 SBOM (JSON, for `cpsf import cyclonedx`) of any size.

    /usr/bin/python3 scripts/gen-cyclonedx.py OUT.json [--components 50000] [--vulnerabilities 20000]
        [--suppliers 500] [--seed 1]

Every name, version and score is made up, for tests and benchmarks. The product
(metadata.component, bom-ref "root") depends on the first 100 components; each component
depends on 3 components drawn at random (so the graph has cycles, as real ones rarely do,
and every component is reached); component i is supplied by "Vendor i mod SUPPLIERS"; each
vulnerability affects one component drawn at random and has a CVSSv31 score drawn
uniformly in [0, 10]. Seeded: the same arguments write the same file.
"""
import argparse
import json
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--components", type=int, default=50000)
    ap.add_argument("--vulnerabilities", type=int, default=20000)
    ap.add_argument("--suppliers", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.components < 1 or a.suppliers < 1 or a.vulnerabilities < 0:
        ap.error("--components and --suppliers must be at least 1, --vulnerabilities at least 0")
    rng = random.Random(a.seed)
    n = a.components
    components = [{"type": "library", "bom-ref": f"c{i}", "name": f"lib{i}", "version": "1.0",
                   "purl": f"pkg:npm/lib{i}@1.0", "supplier": {"name": f"Vendor {i % a.suppliers}"}}
                  for i in range(n)]
    dependencies = [{"ref": "root", "dependsOn": [f"c{i}" for i in range(min(n, 100))]}]
    dependencies += [{"ref": f"c{i}", "dependsOn": [f"c{rng.randrange(n)}" for _ in range(3)]} for i in range(n)]
    vulnerabilities = [{"id": f"CVE-2099-{i}", "ratings": [{"score": round(rng.uniform(0, 10), 1), "method": "CVSSv31"}],
                        "affects": [{"ref": f"c{rng.randrange(n)}"}]} for i in range(a.vulnerabilities)]
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
           "metadata": {"component": {"type": "application", "bom-ref": "root", "name": "synthetic product",
                                      "version": "1", "supplier": {"name": "Synthetic"}}},
           "components": components, "dependencies": dependencies, "vulnerabilities": vulnerabilities}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(bom, f)


if __name__ == "__main__":
    main()
