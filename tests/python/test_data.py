"""adamant.data: the prices and molecules schemas from Python, their plain-h5py layout, the text
imports (CSV, extended XYZ against ASE), DataError, the bundled files and the `adamant data` CLI.
"""

import os
import sys

import h5py
import numpy as np
import pytest

from adamant import data

ase_io = pytest.importorskip("ase.io")
from ase import Atoms  # noqa: E402
from ase.calculators.singlepoint import SinglePointCalculator  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


# ---- helpers ----

def ethanol_frames(n=4, seed=0, forces=True):
    """n ethanol-like ASE frames with energies (and forces) from a SinglePointCalculator."""
    rng = np.random.default_rng(seed)
    base = np.array([[0.0, 0.0, 0.0], [1.52, 0.0, 0.0], [2.0, 1.35, 0.0], [-0.4, 1.0, 0.1],
                     [-0.4, -0.5, 0.9], [-0.4, -0.5, -0.9], [1.9, -0.5, 0.9],
                     [1.9, -0.5, -0.9], [2.95, 1.3, 0.05]])
    frames = []
    for _ in range(n):
        a = Atoms("CCOHHHHHH", positions=base + rng.normal(0, 0.05, base.shape))
        calc = {"energy": float(rng.normal(-300.0, 1.0))}
        if forces:
            calc["forces"] = rng.normal(0, 2.0, (9, 3))
        a.calc = SinglePointCalculator(a, **calc)
        a.info["method"] = "GFN2-xTB"
        frames.append(a)
    return frames


def small_molecules(frames=3, atoms=4, seed=1, forces=True):
    rng = np.random.default_rng(seed)
    return data.Molecules(
        atomic_numbers=np.array([6, 8, 1, 1][:atoms], dtype=np.int32),
        positions=rng.normal(0, 1, (frames, atoms, 3)),
        energies=rng.normal(-10, 1, frames),
        forces=rng.normal(0, 1, (frames, atoms, 3)) if forces else None,
        metadata={"method": "test", "seed": 7, "temperature_K": 300.5})


def small_prices():
    p = np.array([[1.0, np.nan, 3.0], [1.5, 2.0, 3.25], [1.25, 2.5, np.nan]])
    return data.Prices(np.array(["2020-01-02", "2020-01-03", "2020-01-06"]), ["A", "B", "C"], p,
                       {"source": "unit test", "licence": "CC0"})


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return str(path)


# ---- prices ----

def test_prices_round_trip_and_plain_h5py_layout(tmp_path):
    p = small_prices()
    path = str(tmp_path / "p.h5")
    data.save_prices(path, p)
    q = data.load_prices(path)
    assert list(q.dates) == list(p.dates)
    assert q.tickers == p.tickers
    np.testing.assert_array_equal(q.prices, p.prices)  # NaN where NaN
    assert q.prices.dtype == np.float64 and q.shape == (3, 3)
    assert q.metadata["source"] == "unit test" and q.metadata["licence"] == "CC0"
    assert q.dates.astype("datetime64[D]")[0] == np.datetime64("2020-01-02")
    with h5py.File(path, "r") as f:  # the documented layout, readable without adamant
        assert f.attrs["adamant_schema"] in ("prices", b"prices")
        assert int(f.attrs["adamant_schema_version"]) == 1
        assert list(f["dates"].asstr()[...]) == list(p.dates)
        assert list(f["tickers"].asstr()[...]) == p.tickers
        assert f["prices"].dtype == np.float64
        np.testing.assert_array_equal(f["prices"][...], p.prices)


def test_prices_written_by_h5py_are_read(tmp_path):
    path = str(tmp_path / "h.h5")
    with h5py.File(path, "w") as f:
        f["dates"] = np.array(["2021-03-01", "2021-03-02"], dtype=h5py.string_dtype())
        f["tickers"] = np.array(["X", "Y"], dtype=h5py.string_dtype())
        f["prices"] = np.array([[10.0, 20.0], [11.0, np.nan]])
        f.attrs["adamant_schema"] = "prices"
        f.attrs["adamant_schema_version"] = 1
    q = data.load_prices(path)
    assert q.tickers == ["X", "Y"]
    assert q.prices[0, 1] == 20.0 and np.isnan(q.prices[1, 1])


def test_import_prices_csv(tmp_path):
    csv = write(tmp_path / "p.csv", "date,AAA,BBB\n1990-01-02,1.5,\n1990-01-03,NaN,2\n"
                "1990-01-04,null,NA\n")
    p = data.import_prices_csv(csv)
    assert p.tickers == ["AAA", "BBB"]
    assert list(p.dates) == ["1990-01-02", "1990-01-03", "1990-01-04"]
    assert p.prices[0, 0] == 1.5 and p.prices[1, 1] == 2.0
    assert np.isnan(p.prices[[0, 1, 2, 2], [1, 0, 0, 1]]).all()
    assert p.metadata["source"] == "p.csv"


@pytest.mark.parametrize("body, message", [
    ("1990-01-03,abc,2\n", "p.csv:3: column AAA: 'abc' is not a number"),
    ("1990-01-02,1,2\n", "p.csv:3: column date: 1990-01-02 does not come after"),
    ("1990-13-01,1,2\n", "p.csv:3: column date: '1990-13-01' is not a date"),
    ("1990-01-03,1\n", "p.csv:3: row: expected 3 fields"),
    ("1990-01-03,0,2\n", "p.csv:3: column AAA: price 0 is not positive"),
])
def test_import_prices_csv_errors_name_line_and_column(tmp_path, body, message):
    csv = write(tmp_path / "p.csv", "date,AAA,BBB\n1990-01-02,1,2\n" + body)
    with pytest.raises(data.DataError, match=message.replace("(", r"\(")) as e:
        data.import_prices_csv(csv)
    assert isinstance(e.value, ValueError)
    assert e.value.file == csv + ":3"


def test_invalid_prices_are_rejected_and_nothing_is_written(tmp_path):
    path = str(tmp_path / "p.h5")
    data.save_prices(path, small_prices())
    before = open(path, "rb").read()
    bad = small_prices()
    bad.prices = bad.prices.copy()
    bad.prices[1, 1] = -2.0
    # invalid data in memory is a ValueError naming the problem (bad files are DataError)
    with pytest.raises(ValueError, match=r"price -2 at row 1 \(2020-01-03\), column 1 \(B\)"):
        data.save_prices(path, bad)
    unsorted = small_prices()
    unsorted.dates = unsorted.dates[::-1]
    with pytest.raises(ValueError, match="dates"):
        data.save_prices(path, unsorted)
    assert open(path, "rb").read() == before  # the old file, untouched
    assert sorted(os.listdir(tmp_path)) == ["p.h5"]  # no temporary file left
    with pytest.raises(ValueError, match="2-D"):
        data.save_prices(path, data.Prices(np.array(["2020-01-01"]), ["A"], np.ones(1)))


# ---- molecules ----

def test_molecules_round_trip_and_plain_h5py_layout(tmp_path):
    m = small_molecules()
    path = str(tmp_path / "m.h5")
    data.save_molecules(path, m)
    r = data.load_molecules(path)
    np.testing.assert_array_equal(r.atomic_numbers, m.atomic_numbers)
    assert r.atomic_numbers.dtype == np.int32
    assert r.positions.shape == (3, 4, 3) and r.forces.shape == (3, 4, 3)
    np.testing.assert_array_equal(r.positions, m.positions)
    np.testing.assert_array_equal(r.energies, m.energies)
    np.testing.assert_array_equal(r.forces, m.forces)
    assert r.metadata["method"] == "test"
    assert r.metadata["seed"] == 7 and r.metadata["temperature_K"] == 300.5
    assert r.symbols == ["C", "O", "H", "H"] and r.num_frames == 3 and r.num_atoms == 4
    with h5py.File(path, "r") as f:
        assert f.attrs["adamant_schema"] in ("molecules", b"molecules")
        assert f["atomic_numbers"].dtype == np.int32
        assert f["positions"].shape == (3, 4, 3)
        np.testing.assert_array_equal(f["positions"][...], m.positions)
        np.testing.assert_array_equal(f["energies"][...], m.energies)
        np.testing.assert_array_equal(f["forces"][...], m.forces)


def test_molecules_without_forces_and_from_h5py(tmp_path):
    path = str(tmp_path / "h.h5")
    m = small_molecules(forces=False)
    with h5py.File(path, "w") as f:  # the layout of the GFN2-xTB files: no schema attributes
        f["atomic_numbers"] = m.atomic_numbers
        f["positions"] = m.positions
        f["energies"] = m.energies
        f.attrs["method"] = "h5py"
    r = data.load_molecules(path)
    assert r.forces is None
    np.testing.assert_array_equal(r.positions, m.positions)
    assert r.metadata["method"] == "h5py"


def test_invalid_molecules_are_rejected(tmp_path):
    path = str(tmp_path / "m.h5")
    m = small_molecules()
    m.atomic_numbers = np.array([6, 8, 1, 0], dtype=np.int32)
    with pytest.raises(ValueError, match="atomic number 0"):
        data.save_molecules(path, m)
    with pytest.raises(ValueError, match="atomic number 0"):
        data.export_xyz(str(tmp_path / "m.xyz"), m)
    m = small_molecules()
    m.positions = m.positions.copy()
    m.positions[0, 0, 0] = np.nan
    with pytest.raises(ValueError):
        data.save_molecules(path, m)
    m = small_molecules()
    m.positions = m.positions[:, :3, :]
    with pytest.raises(ValueError, match=r"positions must have shape \(frames, 4, 3\)"):
        data.save_molecules(path, m)
    assert os.listdir(tmp_path) == []  # nothing written, no temporary file left


# ---- extended XYZ against ASE ----

@pytest.mark.parametrize("forces", [True, False])
def test_import_xyz_written_by_ase(tmp_path, forces):
    frames = ethanol_frames(forces=forces)
    path = str(tmp_path / "ase.xyz")
    ase_io.write(path, frames, format="extxyz")
    m = data.import_xyz(path)
    assert m.symbols == frames[0].get_chemical_symbols()
    np.testing.assert_array_equal(m.atomic_numbers, frames[0].numbers)
    # ASE writes positions and forces with 8 decimals, the energy in full (repr).
    np.testing.assert_allclose(m.positions, [a.positions for a in frames], atol=5e-9, rtol=0)
    np.testing.assert_array_equal(m.energies, [a.get_potential_energy() for a in frames])
    if forces:
        np.testing.assert_allclose(m.forces, [a.get_forces() for a in frames], atol=5e-9, rtol=0)
    else:
        assert m.forces is None
    assert m.metadata["method"] == "GFN2-xTB"


def test_export_xyz_read_by_ase_exactly(tmp_path):
    m = small_molecules(frames=5, forces=True)
    path = str(tmp_path / "out.xyz")
    data.export_xyz(path, m)
    frames = ase_io.read(path, ":", format="extxyz")
    assert len(frames) == 5
    for f, a in enumerate(frames):
        assert a.get_chemical_symbols() == ["C", "O", "H", "H"]
        assert not a.pbc.any()
        np.testing.assert_array_equal(a.positions, m.positions[f])  # shortest round-trip digits
        assert a.get_potential_energy() == m.energies[f]
        np.testing.assert_array_equal(a.get_forces(), m.forces[f])
        assert a.info["method"] == "test"
    # and back through adamant: bit-identical
    r = data.import_xyz(path)
    np.testing.assert_array_equal(r.positions, m.positions)
    np.testing.assert_array_equal(r.forces, m.forces)
    np.testing.assert_array_equal(r.energies, m.energies)


@pytest.mark.parametrize("text, message", [
    ("2\nenergy=1\nH 0 0 0\nQq 0 0 1\n", r"x.xyz:4: frame 1: atom 2: 'Qq' is not an element"),
    ("2\nenergy=1\nH 0 0 0\nH 0 0 1\n2\nenergy=2\nH 0 0 0\nC 0 0 1\n",
     r"x.xyz:8: frame 2: atom 2: is C, in frame 1 it is H"),
    ("1\npbc=\"F F F\"\nH 0 0 0\n", r"x.xyz:2: frame 1: no energy=<eV>"),
    ("2\nenergy=1\nH 0 0 0\n", r"frame 1: the file ends after 1 of 2 atom lines"),
    ("1\nenergy=1 Lattice=\"5 0 0 0 5 0 0 0 5\" pbc=\"T T T\"\nH 0 0 0\n",
     r"x.xyz:2: frame 1: periodic frames"),
])
def test_import_xyz_errors(tmp_path, text, message):
    with pytest.raises(data.DataError, match=message):
        data.import_xyz(write(tmp_path / "x.xyz", text))


def test_data_errors_for_missing_and_non_hdf5_files(tmp_path):
    with pytest.raises(data.DataError, match="nope.h5"):
        data.load_prices(str(tmp_path / "nope.h5"))
    junk = write(tmp_path / "junk.h5", "this is not HDF5\n")
    for load in (data.load_prices, data.load_molecules, data.info):
        with pytest.raises(data.DataError, match="junk.h5"):
            load(junk)
    with pytest.raises(data.DataError, match="nope.csv"):
        data.import_prices_csv(str(tmp_path / "nope.csv"))
    # a molecules file is not a prices file
    path = str(tmp_path / "m.h5")
    data.save_molecules(path, small_molecules())
    with pytest.raises(data.DataError, match="m.h5"):
        data.load_prices(path)


def test_a_file_libhdf5_crashes_on_is_a_data_error_not_the_end_of_python():
    # Found by fuzz_readers: HDF5 1.10.8 segfaults reading this file's string attribute; the read
    # runs in a child process first, so Python gets a DataError naming file, object and attribute.
    bad = os.path.join(os.path.dirname(__file__), "..", "data", "hdf5_crashes",
                       "gheap_segv_attr_read.h5")
    for load in (data.load_prices, data.load_molecules, data.info):
        with pytest.raises(data.DataError, match="gheap_segv_attr_read.h5: /: attribute "
                           "'adamant_schema': the HDF5 library crashed reading it"):
            load(bad)


def test_elements():
    assert data.atomic_number("Og") == 118 and data.element_symbol(26) == "Fe"
    assert all(data.atomic_number(data.element_symbol(z)) == z for z in range(1, 119))
    with pytest.raises(ValueError):
        data.atomic_number("Xx")


# ---- bundled data ----

def test_bundled_files():
    names = data.bundled()
    assert {"stock_prices_20", "ethanol_md_gfn2xtb", "ethanol_close_contacts_gfn2xtb"} <= set(names)
    assert data.bundled("stock_prices_20") == data.bundled("stock_prices_20.h5")
    with pytest.raises(FileNotFoundError, match="available"):
        data.bundled("no_such_file")

    p = data.load_prices(data.bundled("stock_prices_20"))
    assert p.shape == (7126, 20)
    assert p.dates[0] == "1989-12-29" and p.dates[-1] == "2018-04-11"
    assert p.tickers[:3] == ["GOOG", "AAPL", "FB"]
    assert p.prices[-1, 1] == 172.440002  # AAPL on 2018-04-11
    assert np.isnan(p.prices[0, 0])  # GOOG was not listed in 1989
    assert "PyPortfolioOpt" in p.metadata["source"] and "MIT" in p.metadata["licence"]

    md = data.load_molecules(data.bundled("ethanol_md_gfn2xtb"))
    assert md.positions.shape == (2000, 9, 3) and md.forces.shape == (2000, 9, 3)
    assert sorted(md.symbols) == sorted(["C", "C", "O"] + ["H"] * 6)
    assert md.metadata["method"] == "GFN2-xTB"
    cc = data.load_molecules(data.bundled("ethanol_close_contacts_gfn2xtb"))
    assert cc.positions.shape == (200, 9, 3)
    assert np.abs(cc.forces).max() > 100  # the close contacts are what this file is for
    assert "prices" in data.info(data.bundled("stock_prices_20"))


def test_bundled_files_equal_their_sources():
    # The sources are not in the repository: datasets/data/digests.json records SHA-256 digests of
    # their arrays (written from them by datasets/data/digests.py --sources).
    sys.path.insert(0, os.path.join(REPO, "datasets", "data"))
    try:
        import digests
    finally:
        sys.path.pop(0)
    assert digests.mismatches() == []


# ---- the command line ----

from helpers import CLI, cli  # noqa: E402


@pytest.mark.skipif(not os.path.isfile(CLI), reason="the adamant CLI is not beside this build")
def test_cli_data(tmp_path):
    csv = write(tmp_path / "p.csv", "date,A,B\n2020-01-02,1,2\n2020-01-03,1.5,\n")
    out = str(tmp_path / "p.h5")
    r = cli("data", "import-prices", csv, "-o", out, "--source", "test", "--licence", "CC0")
    assert r.returncode == 0, r.stderr
    assert "2 dates x 2 tickers" in r.stdout
    p = data.load_prices(out)
    assert p.metadata == {"source": "test", "licence": "CC0"}
    r = cli("data", "info", out)
    assert r.returncode == 0 and "prices" in r.stdout

    xyz = str(tmp_path / "m.xyz")
    ase_io.write(xyz, ethanol_frames(3), format="extxyz")
    h5 = str(tmp_path / "m.h5")
    assert cli("data", "import-xyz", xyz, "-o", h5, "--method", "GFN2-xTB").returncode == 0
    back = str(tmp_path / "back.xyz")
    assert cli("data", "export-xyz", h5, "--output", back).returncode == 0
    assert len(ase_io.read(back, ":")) == 3
    converted = str(tmp_path / "c.h5")
    assert cli("data", "convert", h5, "-o", converted).returncode == 0
    np.testing.assert_array_equal(data.load_molecules(converted).positions,
                                  data.load_molecules(h5).positions)

    bad = write(tmp_path / "bad.csv", "date,A\n2020-01-02,x\n")
    r = cli("data", "import-prices", bad, "-o", str(tmp_path / "bad.h5"))
    assert r.returncode == 1
    assert r.stderr.startswith(f"adamant data: error: {bad}:2: column A: 'x' is not a number")
    assert not os.path.exists(tmp_path / "bad.h5")
    # A file of a known schema that breaks it: described, reported INVALID, exit 1.
    broken = os.path.join(os.path.dirname(__file__), "..", "data", "malformed",
                          "molecules_nan_positions.h5")
    r = cli("data", "info", broken)
    assert r.returncode == 1, r.stdout
    assert "summary: INVALID molecules file" in r.stdout
    assert r.stderr.startswith("adamant data: error: ") and "non-finite value nan" in r.stderr
    r = cli("data", "info", str(tmp_path / "missing.h5"))
    assert r.returncode == 1 and "adamant data: error: " in r.stderr and "missing.h5" in r.stderr
    assert cli("data", "import-prices", csv).returncode == 2  # no -o
    assert cli("data", "frobnicate").returncode == 2
    assert cli("data", "info", out, "extra").returncode == 2
    for action in ("info", "import-prices", "import-xyz", "export-xyz", "convert"):
        r = cli("data", action, "--help")
        assert r.returncode == 0 and r.stdout.startswith(f"usage: adamant data {action}")
    assert "import-prices" in cli("data", "--help").stdout
