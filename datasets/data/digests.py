"""SHA-256 digests of the arrays in the bundled data files, against the digests of their sources.

The sources (stock_prices_20.csv and the GFN2-xTB ethanol files, datasets/data/README.md) are not
in the repository; what they held is recorded in digests.json, written from the sources with

    PYTHONPATH=build/release/python /usr/bin/python3 datasets/data/digests.py --sources DIR

and checked against the bundled files by tests/python/test_data.py (or by running this script
without arguments). A bundled file that no longer holds its source's numbers fails the check.
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "digests.json")
# bundled file -> source file
PRICES = {"stock_prices_20.h5": "stock_prices_20.csv"}
MOLECULES = {"ethanol_md_gfn2xtb.h5": "ethanol_gfn2xtb.h5",
             "ethanol_close_contacts_gfn2xtb.h5": "ethanol_close_contacts_gfn2xtb.h5"}


def digest(a):
    """SHA-256 of an array's float64 (or int64) values, NaNs canonical, shape included."""
    a = np.asarray(a)
    if a.dtype.kind == "f":
        a = np.where(np.isnan(a), np.nan, a.astype(np.float64))
    elif a.dtype.kind in "iu":
        a = a.astype(np.int64)
    h = hashlib.sha256(repr(a.shape).encode())
    h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def text_digest(items):
    return hashlib.sha256("\n".join(items).encode()).hexdigest()


def prices_digests(p):
    return {"dates": text_digest(list(p.dates)), "tickers": text_digest(list(p.tickers)),
            "prices": digest(p.prices)}


def molecules_digests(atomic_numbers, positions, energies, forces, sampler):
    return {"atomic_numbers": digest(atomic_numbers), "positions": digest(positions),
            "energies": digest(energies), "forces": digest(forces),
            "sampler": text_digest([str(sampler)])}


def from_bundled():
    from adamant import data
    out = {}
    for name in PRICES:
        out[name] = prices_digests(data.load_prices(os.path.join(HERE, name)))
    for name in MOLECULES:
        m = data.load_molecules(os.path.join(HERE, name))
        out[name] = molecules_digests(m.atomic_numbers, m.positions, m.energies, m.forces,
                                      m.metadata["sampler"])
    return out


def from_sources(directory):
    import h5py
    from adamant import data
    out = {}
    for name, source in PRICES.items():
        out[name] = prices_digests(data.import_prices_csv(os.path.join(directory, source)))
    for name, source in MOLECULES.items():
        with h5py.File(os.path.join(directory, source), "r") as f:
            out[name] = molecules_digests(f["atomic_numbers"][...], f["positions"][...],
                                          f["energies"][...], f["forces"][...],
                                          f.attrs["sampler"])
    return out


def mismatches():
    """(file, array) pairs whose bundled digest differs from the recorded source digest."""
    with open(MANIFEST) as f:
        recorded = json.load(f)
    got = from_bundled()
    return [(name, key) for name, arrays in recorded.items() for key, value in arrays.items()
            if got.get(name, {}).get(key) != value]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", help="record the digests of the source files in DIR")
    args = ap.parse_args()
    if args.sources:
        with open(MANIFEST, "w") as f:
            json.dump(from_sources(args.sources), f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"digests: wrote {MANIFEST}")
        return 0
    bad = mismatches()
    for name, key in bad:
        print(f"digests: {name}: '{key}' differs from its source", file=sys.stderr)
    print("digests: every bundled array equals its source" if not bad else "digests: FAILED")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
