#!/usr/bin/python3
"""Writes the corpus of small HDF5 files in tests/data/malformed/ (each a few KB).

    /usr/bin/python3 tests/data/make_malformed.py

The valid_*.h5 files are written with h5py the way docs/schema.md tells users to write them
(the C++ readers must accept them); every other file breaks exactly one rule of one schema and
tests/datasets/test_malformed.cpp checks that reading it throws adamant::datasets::DataError
naming the file and the offending object. The output is deterministic (no timestamps), so
re-running this script leaves the committed files unchanged.
"""

import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "malformed")
STR = h5py.string_dtype("utf-8")  # variable-length UTF-8, as adamant writes strings


def path(name):
    return os.path.join(OUT, name)


def new_file(name, schema=None):
    f = h5py.File(path(name), "w", track_order=False)
    if schema is not None:
        f.attrs["adamant_schema"] = schema
        f.attrs["adamant_schema_version"] = np.int64(1)
    return f


# ---- prices ----

DATES = ["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"]
TICKERS = ["AAPL", "MSFT", "XOM"]
PRICES = np.array([[np.nan, 160.6, 70.9],
                   [74.4, 158.6, 71.1],
                   [74.9, 159.0, 70.3],
                   [74.6, 157.6, 70.8]])


def prices(name, dates=DATES, tickers=TICKERS, values=PRICES, fixed=False, skip=()):
    with new_file(name, "prices") as f:
        if fixed:  # fixed-length byte strings, as numpy 'S' arrays are stored
            f["dates"] = np.array(dates, dtype="S10")
            f["tickers"] = np.array(tickers, dtype="S8")
        else:
            if "dates" not in skip:
                f.create_dataset("dates", data=dates, dtype=STR)
            f.create_dataset("tickers", data=tickers, dtype=STR)
        if "prices" not in skip:
            f["prices"] = values
        f.attrs["source"] = "make_malformed.py"


# ---- molecules (the layout of the GFN2-xTB files: no schema attributes) ----

Z = np.array([8, 1, 1], dtype=np.int32)
rng = np.random.default_rng(0)
POS = (np.array([[0.0, 0.0, 0.12], [0.0, 0.76, -0.47], [0.0, -0.76, -0.47]])
       + 0.02 * rng.standard_normal((6, 3, 3)))
ENERGIES = -137.9 + 0.01 * rng.standard_normal(6)
FORCES = rng.standard_normal((6, 3, 3))


def molecules(name, z=Z, positions=POS, energies=ENERGIES, forces=FORCES, schema=None):
    with new_file(name, schema) as f:
        f["atomic_numbers"] = z
        f["positions"] = positions
        f["energies"] = energies
        if forces is not None:
            f["forces"] = forces
        f.attrs["method"] = "GFN2-xTB"
        f.attrs["units"] = "positions Angstrom, energies eV, forces eV/Angstrom"
        f.attrs["seed"] = np.int64(0)


# ---- checkpoint ----

def checkpoint(name, dtype=np.float64, slot_lengths=(5, 5)):
    with new_file(name, "checkpoint") as f:
        f.attrs["step"] = np.int64(10)
        m = f.create_group("model")
        m.attrs["kind"] = "linear"
        m["params"] = np.linspace(-1, 1, 5).astype(dtype)
        o = f.create_group("optimizer")
        o.attrs["rule"] = "adam"
        o.attrs["step"] = np.int64(10)
        o.attrs["skipped_steps"] = np.int64(0)
        slots = o.create_group("slots")
        slots.attrs["names"] = "exp_avg,exp_avg_sq"
        slots["exp_avg"] = np.full(slot_lengths[0], 0.01, dtype=dtype)
        slots["exp_avg_sq"] = np.full(slot_lengths[1], 1e-4, dtype=dtype)
        o.create_group("scalars").attrs["names"] = ""
        f["rng/state"] = np.arange(4, dtype=np.uint64)
        f.create_group("config").attrs["lr"] = 1e-3


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".h5"):
            os.remove(path(name))

    # Valid files, written as a user of h5py would.
    prices("valid_prices.h5")
    prices("valid_prices_fixed_strings.h5", fixed=True)
    molecules("valid_molecules.h5")
    checkpoint("valid_checkpoint.h5")
    with new_file("valid_table.h5", "table") as f:
        g = f.create_group("table")
        g["step"] = np.arange(5.0)
        g["loss"] = np.array([1.0, 0.5, np.nan, 0.2, 0.1])
        g.attrs["columns"] = "step,loss"
    with new_file("valid_episodes.h5", "episodes") as f:
        f.attrs["env_id"] = "CartPole-v1"
        e = f.create_group("episodes/episode_0000")
        e["observations"] = np.zeros((4, 4), dtype=np.float32)
        e["actions"] = np.array([0, 1, 0], dtype=np.int64)
        e["rewards"] = np.ones(3)
        e["terminated"] = np.array([0, 0, 1], dtype=np.uint8)
        e["truncated"] = np.zeros(3, dtype=np.uint8)
        e.attrs["seed"] = np.int64(42)

    # Not HDF5 at all, or not all of it.
    with open(path("not_hdf5.h5"), "w") as f:
        f.write("date,AAPL\n2020-01-02,74.4\n")
    open(path("empty.h5"), "wb").close()
    with open(path("valid_molecules.h5"), "rb") as f:
        whole = f.read()
    with open(path("truncated.h5"), "wb") as f:
        f.write(whole[: len(whole) // 2])

    # Prices: one broken rule each.
    prices("prices_missing_dataset.h5", skip=("prices",))
    prices("prices_wrong_rank.h5", values=PRICES.reshape(-1))
    prices("prices_wrong_shape.h5", values=PRICES[:, :2])
    prices("prices_int_dtype.h5", values=np.ones((4, 3), dtype=np.int64))
    with new_file("prices_string_dtype.h5", "prices") as f:
        f.create_dataset("dates", data=DATES, dtype=STR)
        f.create_dataset("tickers", data=TICKERS, dtype=STR)
        f.create_dataset("prices", data=np.full((4, 3), "1.0", dtype=object), dtype=STR)
    prices("prices_dates_not_increasing.h5",
           dates=["2020-01-02", "2020-01-06", "2020-01-03", "2020-01-07"])
    prices("prices_bad_date.h5", dates=["2020-01-02", "2020-02-30", "2020-03-02", "2020-03-03"])
    prices("prices_duplicate_tickers.h5", tickers=["AAPL", "MSFT", "AAPL"])
    bad = PRICES.copy()
    bad[2, 1] = 0.0
    prices("prices_nonpositive.h5", values=bad)

    # Molecules.
    nan_pos = POS.copy()
    nan_pos[4, 2, 1] = np.nan
    molecules("molecules_nan_positions.h5", positions=nan_pos)
    molecules("molecules_inconsistent_frames.h5", energies=ENERGIES[:-1])
    molecules("molecules_bad_atomic_number.h5", z=np.array([8, 1, 0], dtype=np.int32))
    molecules("molecules_forces_wrong_shape.h5", forces=FORCES[:, :, :2])
    molecules("molecules_float_atomic_numbers.h5", z=Z.astype(np.float64))
    molecules("molecules_wrong_schema.h5", schema="prices")

    # Checkpoints.
    checkpoint("checkpoint_slot_wrong_length.h5", slot_lengths=(5, 4))
    checkpoint("checkpoint_float32.h5", dtype=np.float32)  # valid, but not a Checkpoint<double>

    # Tables and episodes.
    with new_file("table_ragged_columns.h5", "table") as f:
        f["table/step"] = np.arange(5.0)
        f["table/loss"] = np.arange(4.0)
        f["table"].attrs["columns"] = "step,loss"
    with new_file("episodes_flag_mid_episode.h5", "episodes") as f:
        f.attrs["env_id"] = "CartPole-v1"
        e = f.create_group("episodes/episode_0000")
        e["observations"] = np.zeros((4, 4), dtype=np.float32)
        e["actions"] = np.array([0, 1, 0], dtype=np.int64)
        e["rewards"] = np.ones(3)
        e["terminated"] = np.array([0, 1, 0], dtype=np.uint8)
        e["truncated"] = np.zeros(3, dtype=np.uint8)

    # A group that hard-links back to the root: a walk over the file must not loop forever.
    with new_file("loop_link_to_parent.h5", "table") as f:
        g = f.create_group("table")
        g["step"] = np.arange(3.0)
        g.attrs["columns"] = "step"
        g["back"] = f["/"]

    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(path(name)):7d}  {name}")


if __name__ == "__main__":
    main()
