"""adamant.chem: descriptors and forces against finite differences, the model file against an
independent numpy forward pass, training, MD, the ASE calculator under ASE's own drivers, and the
`adamant chem` command line."""

import os

import h5py
import numpy as np
import pytest

import adamant
from adamant import chem, data
from helpers import HAVE_CLI, cli, is_png

ETHANOL = data.bundled("ethanol_md_gfn2xtb")
CONTACTS = data.bundled("ethanol_close_contacts_gfn2xtb")


@pytest.fixture(scope="module")
def mols():
    return data.load_molecules(ETHANOL)


@pytest.fixture(scope="module")
def fitted(mols):
    """A small potential trained briefly: good enough for smooth forces, cheap to make."""
    return chem.fit(mols, num_train=400, num_validation=20, num_test=100, epochs=100, batch_size=8,
                    lr_final=1e-4, seed=3, hidden=[16, 16])


def test_descriptor_derivatives_match_finite_differences(mols):
    ds = chem.standard_descriptor_set([1, 6, 8])
    z, x = mols.atomic_numbers, mols.positions[5].copy()
    g, dg = chem.compute_descriptors(ds, z, x)
    a, n = g.shape
    assert dg.shape == (a * n, 3 * a)
    h = 1e-5
    fd = np.empty_like(dg)
    for k in range(3 * a):
        xp, xm = x.copy(), x.copy()
        xp.flat[k] += h
        xm.flat[k] -= h
        gp, _ = chem.compute_descriptors(ds, z, xp, derivatives=False)
        gm, _ = chem.compute_descriptors(ds, z, xm, derivatives=False)
        fd[:, k] = ((gp - gm) / (2 * h)).ravel()
    np.testing.assert_allclose(dg, fd, rtol=1e-6, atol=1e-8)


def test_forces_are_minus_the_energy_gradient(fitted, mols):
    pot = fitted.potential
    z, x = mols.atomic_numbers, mols.positions[11].copy()
    _, f = pot.energy_forces(z, x)
    h = 1e-5
    fd = np.empty_like(f)
    for k in range(x.size):
        xp, xm = x.copy(), x.copy()
        xp.flat[k] += h
        xm.flat[k] -= h
        fd.flat[k] = -(pot.energy_forces(z, xp)[0] - pot.energy_forces(z, xm)[0]) / (2 * h)
    np.testing.assert_allclose(f, fd, rtol=1e-6, atol=1e-7)


def _numpy_energy(path, z, x):
    """The energy from the model file alone (docs/schema.md, chem_model): C++ descriptors,
    then standardisation, per-element MLPs (PyTorch's Linear layout) and shifts in numpy."""
    pot = chem.load_potential(path)
    g, _ = chem.compute_descriptors(pot.descriptors, z, x, derivatives=False)
    with h5py.File(path, "r") as f:
        assert f.attrs["adamant_schema"] == "chem_model"
        elements = list(f["elements"][:])
        mean, scale = f["standardizer/mean"][:], f["standardizer/scale"][:]
        shifts = f["shifts"][:]
        params = f["model/params"][:]
        hidden = [int(h) for h in f["model"].attrs["hidden"].split(",")]
        assert f["model"].attrs["activation"] == "tanh"
    widths = [g.shape[1], *hidden, 1]
    per_element = sum(o * i + o for i, o in zip(widths[:-1], widths[1:]))
    assert params.size == per_element * len(elements)
    energy = 0.0
    for i, zi in enumerate(z):
        e = elements.index(zi)
        p = params[e * per_element:(e + 1) * per_element]
        a = (g[i] - mean[e]) / scale[e]
        off = 0
        for layer, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
            w = p[off:off + n_in * n_out].reshape(n_out, n_in)
            off += n_in * n_out
            b = p[off:off + n_out]
            off += n_out
            a = w @ a + b
            if layer < len(widths) - 2:
                a = np.tanh(a)
        energy += a[0] + shifts[e]
    return energy


def test_model_file_holds_everything_the_energy_needs(fitted, mols, tmp_path):
    path = tmp_path / "pot.h5"
    chem.save_potential(path, fitted.potential, {"note": "test"})
    loaded = chem.load_potential(path)
    z = mols.atomic_numbers
    for k in (0, 777, 1999):
        e0, f0 = fitted.potential.energy_forces(z, mols.positions[k])
        e1, f1 = loaded.energy_forces(z, mols.positions[k])
        assert e1 == e0 and np.array_equal(f1, f0)
        assert _numpy_energy(path, z, mols.positions[k]) == pytest.approx(e0, abs=1e-9)


def test_evaluate_agrees_with_energy_forces(fitted, mols):
    frames = list(fitted.test_frames[:25])
    metrics, e, f = chem.evaluate(fitted.potential, mols, frames)
    z = mols.atomic_numbers
    ref_e = np.array([fitted.potential.energy_forces(z, mols.positions[k])[0] for k in frames])
    np.testing.assert_allclose(e, ref_e, rtol=0, atol=1e-10)
    assert metrics.frames == 25
    assert metrics.energy_mae == pytest.approx(np.mean(np.abs(e - mols.energies[frames])))
    assert metrics.force_mae == pytest.approx(np.mean(np.abs(f - mols.forces[frames])))


def test_training_learns(fitted):
    assert fitted.test.force_mae < 0.3  # eV/Å; an untrained net is at ~0.78
    assert fitted.test.energy_mae < 0.06  # eV; untrained ~0.14
    assert len(fitted.curve) > 0


def test_same_seed_same_parameters_on_any_thread_count(mols):
    runs = [chem.fit(mols, num_train=100, num_validation=10, num_test=10, epochs=5, seed=7,
                     hidden=[8], num_threads=t) for t in (1, 2, 2)]
    assert np.array_equal(runs[0].potential.params, runs[1].potential.params)
    assert np.array_equal(runs[1].potential.params, runs[2].potential.params)


def test_keyword_options_reach_the_nested_structs():
    o = chem.train_options(hidden=[7, 5], activation="silu", cutoff_radius=5.0, epochs=3)
    assert o.network.hidden == [7, 5] and o.network.activation == "silu"
    assert o.descriptors.cutoff_radius == 5.0 and o.epochs == 3


def test_bad_options_and_files_are_named(mols, tmp_path):
    with pytest.raises(ValueError, match="lr and lr_final must be finite and > 0"):
        chem.fit(mols, lr=-1.0)
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\), got 1"):
        chem.fit(mols, beta2=1.0)
    with pytest.raises(ValueError, match="schedule must be exponential, cosine or constant"):
        chem.fit(mols, schedule="linear")
    with pytest.raises(TypeError, match="unknown option 'epoch'"):
        chem.fit(mols, epoch=3)
    with pytest.raises(adamant.data.DataError, match="chem_model"):
        chem.load_potential(ETHANOL)
    with pytest.raises(Exception, match="does-not-exist"):
        chem.load_potential(tmp_path / "does-not-exist.h5")


def test_nve_md_conserves_energy(fitted, mols):
    r = chem.run_md(fitted.potential, mols.atomic_numbers, mols.positions[0], timestep=0.25,
                    steps=2000, temperature=300, seed=1, record_every=10)
    assert not r.blew_up
    assert np.max(np.abs(r.total - r.total[0])) < 5e-3  # eV, over 0.5 ps
    r2 = chem.run_md(fitted.potential, mols.atomic_numbers, mols.positions[0], timestep=0.25,
                     steps=2000, temperature=300, seed=1, record_every=10)
    assert np.array_equal(r.total, r2.total)


ase = pytest.importorskip("ase")


def _atoms(mols, k):
    from ase import Atoms
    return Atoms(numbers=mols.atomic_numbers, positions=mols.positions[k])


def test_ase_calculator_matches_the_potential(fitted, mols):
    atoms = _atoms(mols, 3)
    atoms.calc = chem.Calculator(potential=fitted.potential)
    e, f = fitted.potential.energy_forces(mols.atomic_numbers, mols.positions[3])
    assert atoms.get_potential_energy() == pytest.approx(e, abs=1e-12)
    np.testing.assert_allclose(atoms.get_forces(), f, atol=1e-12)


def test_ase_velocity_verlet_runs_on_an_adamant_potential(fitted, mols, tmp_path):
    from ase import units
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
    from ase.md.verlet import VelocityVerlet

    path = tmp_path / "pot.h5"
    chem.save_potential(path, fitted.potential)
    atoms = _atoms(mols, 0)
    atoms.calc = chem.Calculator(path)
    MaxwellBoltzmannDistribution(atoms, temperature_K=300, rng=np.random.default_rng(0))
    Stationary(atoms)
    e0 = atoms.get_total_energy()
    totals = []
    dyn = VelocityVerlet(atoms, timestep=0.25 * units.fs)
    dyn.attach(lambda: totals.append(atoms.get_total_energy()), interval=10)
    dyn.run(1000)
    totals = np.array(totals)
    assert np.all(np.isfinite(totals))
    assert np.max(np.abs(totals - e0)) < 5e-3  # eV: the potential's forces are its gradient
    assert atoms.get_temperature() > 50  # it moved


def test_ase_optimizer_relaxes_a_geometry(fitted, mols):
    from ase.optimize import BFGS

    atoms = _atoms(mols, 8)
    atoms.calc = chem.Calculator(potential=fitted.potential)
    e0 = atoms.get_potential_energy()
    assert BFGS(atoms, logfile=None).run(fmax=0.05, steps=300)
    assert atoms.get_potential_energy() < e0
    assert np.max(np.linalg.norm(atoms.get_forces(), axis=1)) < 0.05


def test_ase_rejects_mixed_periodicity(fitted, mols):
    atoms = _atoms(mols, 0)
    atoms.cell = np.eye(3) * 20
    atoms.pbc = [True, False, False]
    atoms.calc = chem.Calculator(potential=fitted.potential)
    with pytest.raises(ValueError, match="pbc"):
        atoms.get_potential_energy()


@pytest.mark.skipif(not HAVE_CLI, reason="the adamant executable is not built")
def test_cli_fit_eval_md(tmp_path):
    out = tmp_path / "runs"
    r = cli("chem", "fit", "--train", 120, "--validation", 20, "--test", 60, "--epochs", 15,
            "--hidden", "8,8", "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert "test:" in r.stdout and "force MAE" in r.stdout
    model = out / "chem_ethanol_md_gfn2xtb_seed0.h5"
    assert model.is_file() and is_png(out / "chem_ethanol_md_gfn2xtb_seed0.png")
    r = cli("chem", "eval", "--model", model, "--data", CONTACTS)
    assert r.returncode == 0, r.stderr
    assert "force MAE" in r.stdout
    r = cli("chem", "md", "--model", model, "--steps", 400, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "drift" in r.stdout
    traj = data.load_molecules(out / "chem_md_nve_seed0.h5")
    assert traj.positions.shape[1:] == (9, 3) and np.all(np.isfinite(traj.positions))
    r = cli("chem", "fit", "--data", out / "nothing.h5", "--no-save")
    assert r.returncode != 0 and "nothing.h5" in r.stderr
    assert not any(p.name.endswith(".tmp") for p in out.iterdir())
