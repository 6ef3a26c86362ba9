"""adamant.gan: the games' vector fields against numpy (finite differences of objectives written
here, Gauss-Hermite from numpy) and the mixture GAN's against torch autograd, the Dirac-GAN's
spectrum against numpy.linalg.eigvals and Mescheder et al.'s formula, game optimizer steps
against the same steps in numpy and torch.optim.Adam, the study's file read with h5py, the
figures, bad input, and the `adamant gan` command line."""

import h5py
import numpy as np
import pytest

from adamant import gan
from helpers import HAVE_CLI, cli, is_png


def softplus(t):
    return np.logaddexp(0.0, t)


def dirac_objectives(theta, psi, loss, gamma, sigma):
    """f_x, f_y of the Dirac-GAN (games.hpp) with numpy's Gauss-Hermite rule (48 nodes)."""
    if sigma > 0:
        nodes, weights = np.polynomial.hermite_e.hermegauss(48)
        eps, w = sigma * nodes, weights / weights.sum()
    else:
        eps, w = np.zeros(1), np.ones(1)
    u, r = psi * (theta + eps), psi * eps
    if loss == "wasserstein":
        a, b, c = r, -u, -u
    else:
        a, b = -softplus(-r), -softplus(u)
        c = softplus(-u) if loss == "nonsaturating" else b
    return w @ c, w @ (a + b) - 0.5 * gamma * psi ** 2


def fd_field(objectives, z, h=1e-6):
    out = np.empty(2)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        fp, fm = objectives(*(z + e)), objectives(*(z - e))
        out[i] = (fp[0] - fm[0]) / (2 * h) if i == 0 else -(fp[1] - fm[1]) / (2 * h)
    return out


@pytest.mark.parametrize("loss", ["standard", "nonsaturating", "wasserstein"])
def test_dirac_field_and_jacobian_match_numpy(loss):
    for gamma, sigma in [(0.0, 0.0), (0.7, 0.0), (0.0, 0.4), (1.3, 0.25)]:
        g = gan.dirac(loss=loss, gamma=gamma, instance_noise=sigma)
        f = lambda th, ps: dirac_objectives(th, ps, loss, gamma, sigma)  # noqa: E731
        for z in ([0.8, -1.3], [-0.4, 0.6], [0.0, 0.0]):
            z = np.array(z)
            np.testing.assert_allclose(g.vector_field(z), fd_field(f, z), atol=1e-8)
            fx, fy = g.objectives(z)
            np.testing.assert_allclose([fx, fy], f(*z), rtol=1e-13, atol=1e-15)
            J = np.column_stack([(g.vector_field(z + e) - g.vector_field(z - e)) / 2e-6
                                 for e in np.eye(2) * 1e-6])
            np.testing.assert_allclose(g.jacobian(z), J, atol=1e-7)


@pytest.mark.parametrize("loss,fp", [("standard", 0.5), ("nonsaturating", 0.5),
                                     ("wasserstein", 1.0)])
def test_dirac_eigenvalues_match_numpy_and_mescheder(loss, fp):
    for gamma in [0.0, 0.4, 1.0, 3.0]:
        g = gan.dirac(loss=loss, gamma=gamma)
        J = g.jacobian(np.zeros(2))
        ours = np.sort_complex(gan.eigenvalues(g))
        np.testing.assert_allclose(ours, np.sort_complex(np.linalg.eigvals(J)), atol=1e-12)
        root = np.sqrt(complex(gamma ** 2 / 4 - fp ** 2))
        expected = np.sort_complex(np.array([gamma / 2 + root, gamma / 2 - root]))  # eig J = -eig v
        np.testing.assert_allclose(ours, expected, atol=1e-9)


def test_hamiltonian_gradient_is_jacobian_transpose_times_field():
    """Consensus optimization descends xi + gamma * grad H with grad H = J'xi (H = |xi|^2 / 2)."""
    g = gan.dirac(loss="nonsaturating", gamma=0.3, instance_noise=0.2)
    z = np.array([0.7, -1.1])
    xi = g.vector_field(z)
    assert gan.hamiltonian(g, z) == pytest.approx(0.5 * xi @ xi, rel=1e-15)
    h = 1e-6
    grad = np.array([(gan.hamiltonian(g, z + e) - gan.hamiltonian(g, z - e)) / (2 * h)
                     for e in np.eye(2) * h])
    np.testing.assert_allclose(g.jacobian(z).T @ xi, grad, atol=1e-8)
    opt = gan.optimizer(g, "consensus", lr=0.1, gamma=0.5)
    z1 = z.copy()
    opt.step(g, z1)
    np.testing.assert_allclose(z1, z - 0.1 * (xi + 0.5 * grad), atol=1e-9)


def test_bilinear_field_is_the_formula():
    rng = np.random.default_rng(4)
    A, Bh, Ch = rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(2, 2))
    B, C, b, c = Bh @ Bh.T, Ch @ Ch.T, rng.normal(size=3), rng.normal(size=2)
    g = gan.bilinear(A, B=B, C=C, b=b, c=c)
    z = rng.normal(size=5)
    x, y = z[:3], z[3:]
    np.testing.assert_allclose(g.vector_field(z), np.r_[A @ y + B @ x + b, -A.T @ x + C @ y - c],
                               rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(g.jacobian(z), np.block([[B, A], [-A.T, C]]), rtol=0, atol=0)
    assert np.linalg.norm(g.vector_field(g.equilibrium())) < 1e-12
    assert g.dim == 5 and g.x_dim == 3


def torch_mixture(game, z):
    """The mixture GAN's MLPs in torch with adamant's parameters (PyTorch's layout)."""
    torch = pytest.importorskip("torch")

    def mlp(sizes, flat):
        layers, k = [], 0
        for i in range(len(sizes) - 1):
            lin = torch.nn.Linear(sizes[i], sizes[i + 1], dtype=torch.float64)
            with torch.no_grad():
                n = sizes[i] * sizes[i + 1]
                lin.weight.copy_(torch.from_numpy(flat[k:k + n].reshape(sizes[i + 1], sizes[i])))
                k += n
                lin.bias.copy_(torch.from_numpy(flat[k:k + sizes[i + 1]]))
                k += sizes[i + 1]
            layers += [lin, torch.nn.ReLU()]
        assert k == flat.size
        return torch.nn.Sequential(*layers[:-1])

    ng = game.generator_size
    return mlp([2, 32, 32, 2], z[:ng].copy()), mlp([2, 24, 1], z[ng:].copy())


def torch_objectives(G, D, real, latent):
    import torch
    fake = G(torch.from_numpy(latent))
    s_fake, s_real = D(fake)[:, 0], D(torch.from_numpy(real))[:, 0]
    f_x = torch.nn.functional.softplus(-s_fake).mean()                       # non-saturating
    f_y = (-torch.nn.functional.softplus(-s_real) - torch.nn.functional.softplus(s_fake)).mean()
    return f_x, f_y


def small_mixture(seed=3):
    return gan.mixture("ring", generator_hidden=(32, 32), discriminator_hidden=(24,),
                       batch_size=50, seed=seed)


def test_mixture_field_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    g = small_mixture()
    z = g.initial_point()
    G, D = torch_mixture(g, z)
    f_x, f_y = torch_objectives(G, D, g.real, g.latent)
    gx = torch.autograd.grad(f_x, list(G.parameters()), retain_graph=True)
    gy = torch.autograd.grad(f_y, list(D.parameters()))
    expected = np.concatenate([t.numpy().ravel() for t in gx] + [-t.numpy().ravel() for t in gy])
    xi = g.vector_field(z)
    np.testing.assert_allclose(xi, expected, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(g.objectives(z), [f_x.item(), f_y.item()], rtol=1e-12)


def test_adam_players_match_torch_adam():
    """Simultaneous Adam (beta1 0.5), TTUR: the generator minimises f_x with torch's Adam, the
    discriminator maximises f_y with Adam(maximize=True), on the same minibatches."""
    torch = pytest.importorskip("torch")
    g = small_mixture(seed=8)
    z = g.initial_point()
    G, D = torch_mixture(g, z)
    opt = gan.optimizer(g, "simultaneous", rule="adam", lr=1e-3, lr_y=4e-3, beta1=0.5)
    tg = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    td = torch.optim.Adam(D.parameters(), lr=4e-3, betas=(0.5, 0.999), maximize=True)
    for _ in range(5):
        peek = g.clone()
        peek.next_batch()  # the minibatch step() is about to draw
        real, latent = peek.real, peek.latent
        opt.step(g, z)
        tg.zero_grad()
        td.zero_grad()
        f_x, f_y = torch_objectives(G, D, real, latent)
        gx = torch.autograd.grad(f_x, list(G.parameters()), retain_graph=True)
        gy = torch.autograd.grad(f_y, list(D.parameters()))
        for p, gr in zip(G.parameters(), gx):
            p.grad = gr
        for p, gr in zip(D.parameters(), gy):
            p.grad = gr
        tg.step()
        td.step()
        theirs = np.concatenate([p.detach().numpy().ravel() for p in G.parameters()] +
                                [p.detach().numpy().ravel() for p in D.parameters()])
        np.testing.assert_allclose(z, theirs, rtol=1e-9, atol=1e-12)


def test_gda_steps_match_numpy_and_theory():
    g = gan.bilinear()
    eta = 0.3
    z = np.array([0.6, -0.8])
    traj = gan.trajectory(g, gan.optimizer(g, "simultaneous", lr=eta), z, 50)
    M = np.array([[1, -eta], [eta, 1]])  # z <- z - eta (y, -x)
    expected = np.array([np.linalg.matrix_power(M, t) @ z for t in range(51)])
    np.testing.assert_allclose(traj, expected, rtol=1e-12, atol=1e-14)
    ratios = np.linalg.norm(traj[1:], axis=1) / np.linalg.norm(traj[:-1], axis=1)
    np.testing.assert_allclose(ratios, np.sqrt(1 + eta ** 2), rtol=1e-12)
    eg = gan.trajectory(g, gan.optimizer(g, "extragradient", lr=eta), z, 50)
    ratios = np.linalg.norm(eg[1:], axis=1) / np.linalg.norm(eg[:-1], axis=1)
    np.testing.assert_allclose(ratios, np.sqrt(1 - eta ** 2 + eta ** 4), rtol=1e-12)
    # Alternating GDA: one-step map on the unit circle for eta <= 2.
    for eta in (0.5, 1.5, 2.0):
        lam = gan.update_eigenvalues(g, "altgd", lr=eta)
        np.testing.assert_allclose(np.abs(lam), 1.0, atol=1e-9)
    assert z.tolist() == [0.6, -0.8]  # trajectory() leaves z0 alone


def test_step_updates_in_place_and_rejects_bad_arrays():
    g = gan.dirac(gamma=0.5)
    opt = gan.preset("consensus", g, lr=0.1)
    z = np.array([1.0, 1.0])
    opt.step(g, z)
    assert not np.array_equal(z, [1.0, 1.0]) and opt.steps == 1
    with pytest.raises(TypeError):
        opt.step(g, np.array([1.0, 1.0], dtype=np.float32))  # no silent copy
    with pytest.raises(ValueError, match="dimension"):
        opt.step(g, np.ones(3))


def test_bad_input_raises_valueerror_with_the_message():
    g = gan.bilinear()
    with pytest.raises(ValueError, match="unknown rule 'adadelta'"):
        gan.optimizer(g, rule="adadelta")
    with pytest.raises(ValueError, match="lr must be > 0"):
        gan.optimizer(g, lr=0.0)
    with pytest.raises(ValueError, match="beta1"):
        gan.optimizer(g, rule="adam", y=dict(beta1=1.0))
    with pytest.raises(ValueError, match="unknown scheme"):
        gan.optimizer(g, "leapfrog")
    with pytest.raises(ValueError, match="unknown method 'lbfgs'"):
        gan.preset("lbfgs", g)
    with pytest.raises(ValueError, match="unknown method 'lbfgs'"):
        gan.study("dirac", methods=["simgd", "lbfgs"], steps=5)
    with pytest.raises(ValueError, match="unknown game"):
        gan.study("spiral")
    with pytest.raises(ValueError, match="gamma"):
        gan.dirac(gamma=-1)
    with pytest.raises(ValueError, match="unknown GAN loss"):
        gan.dirac(loss="hinge")
    with pytest.raises(ValueError, match="B must be"):
        gan.bilinear(1.0, B=np.eye(2))
    with pytest.raises(ValueError, match="R1"):
        gan.study("ring", methods=["adam"], steps=2, gamma=1.0)
    with pytest.raises(ValueError, match="Jacobian"):
        gan.study("ring", methods=["consensus"], steps=2)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        gan.mode_stats(np.zeros((4, 3)))


def test_study_file_reads_with_h5py(tmp_path):
    lines = []
    r = gan.study("dirac", methods=["simgd", "extragradient", "consensus"], steps=60,
                  gamma=0.2, eigen_every=20, progress=lines.append)
    assert lines and "3/3 methods done" in lines[-1]
    path = tmp_path / "dirac.h5"
    gan.save_study(path, r)
    with h5py.File(path, "r") as f:
        assert sorted(f["trajectories"]) == ["consensus", "extragradient", "simgd"]
        for run in r.runs:
            t = f["trajectories"][run.name]
            np.testing.assert_array_equal(t["iterates"][...], run.iterates)
            assert t["iterates"].shape == (61, 2)
            np.testing.assert_array_equal(t["metrics"]["distance"][...],
                                          run.metrics["distance"])
            d = t["metrics"]["distance"][...]
            np.testing.assert_allclose(d, np.linalg.norm(run.iterates, axis=1), rtol=1e-15)
        conv = f["convergence"]
        np.testing.assert_array_equal(conv["final_distance"][...],
                                      [run.final_distance for run in r.runs])
        assert conv.attrs["methods"] in ("simgd,extragradient,consensus",
                                         b"simgd,extragradient,consensus")
        re, im = f["eigenvalues/consensus/re"][...], f["eigenvalues/consensus/im"][...]
        np.testing.assert_array_equal(re + 1j * im, r.runs[2].eigenvalues)
        np.testing.assert_array_equal(f["eigenvalues/consensus/step"][...], [0, 20, 40, 60])
    back = gan.load_study(path)
    assert back.methods == ["simgd", "extragradient", "consensus"]
    np.testing.assert_array_equal(back.trajectories["simgd"]["iterates"], r.runs[0].iterates)
    assert back.settings["gamma"] == 0.2 and back.settings["steps"] == 60
    pngs = gan.plot_study(r, tmp_path / "dirac")
    assert [p.rsplit("_", 1)[1] for p in pngs] == ["field.png", "distance.png", "eigenvalues.png"]
    assert all(is_png(p) for p in pngs)


def test_mixture_study_snapshots_and_modes(tmp_path):
    r = gan.study("mixture", mixture="ring", methods=["adam05", "altgd"], steps=40,
                  batch_size=32, generator_hidden=(16,), discriminator_hidden=(16,),
                  eval_samples=300, snapshots=3, curve_points=5, threads=2)
    run = r.runs[0]
    assert run.snapshot_steps == [0, 20, 40] and run.snapshots[0].shape == (300, 2)
    stats = gan.mode_stats(run.snapshots[-1], "ring")
    assert stats["modes_captured"] == run.modes and stats["high_quality"] == run.high_quality
    np.testing.assert_array_equal(run.curve["step"], [0, 10, 20, 30, 40])
    gan.save_study(tmp_path / "ring.h5", r)
    with h5py.File(tmp_path / "ring.h5", "r") as f:
        np.testing.assert_array_equal(f["snapshots/adam05/step_40"][...], run.snapshots[-1])
        np.testing.assert_array_equal(f["curves/altgd/modes"][...], r.runs[1].curve["modes"])
    pngs = gan.plot_study(r, tmp_path / "ring")
    assert all(is_png(p) for p in pngs) and len(pngs) == 2


def test_mode_stats_by_hand():
    m = gan.modes("grid")
    assert m.shape == (25, 2)
    s = np.vstack([m[:10] + 0.01, np.full((10, 2), 1.0)])  # 10 good samples, 10 between modes
    st = gan.mode_stats(s, "grid")
    assert st == {"modes_captured": 10, "num_modes": 25, "high_quality": 0.5}


@pytest.mark.skipif(not HAVE_CLI, reason="the adamant CLI is not beside this build")
def test_cli_gan_study(tmp_path):
    out = tmp_path / "new" / "dir"
    r = cli("gan", "study", "--game", "dirac", "--methods",
            "simgd,altgd,adam,optimistic,extragradient,consensus", "--steps", "100", "--out", out,
            "--quiet")
    assert r.returncode == 0, r.stderr
    assert "consensus" in r.stdout and "final dist" in r.stdout
    for name in ("gan_study_dirac.h5", "gan_study_dirac_field.png",
                 "gan_study_dirac_distance.png", "gan_study_dirac_eigenvalues.png"):
        assert (out / name).is_file(), name
    assert is_png(out / "gan_study_dirac_field.png")
    back = gan.load_study(out / "gan_study_dirac.h5")
    assert len(back.methods) == 6
    r = cli("gan", "study", "--game", "mixture", "--mixture", "grid", "--methods", "adam05",
            "--steps", "10", "--batch", "16", "-o", tmp_path / "g.h5", "--quiet")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "g_samples.png").is_file() and (tmp_path / "g_modes.png").is_file()
    r = cli("gan", "study", "--methods", "simgd,lbfgs", "--no-save")
    assert r.returncode == 2 and "unknown method 'lbfgs'" in r.stderr
    r = cli("gan", "spectrum", "--game", "dirac", "--gamma", "0.5")
    assert r.returncode == 0 and "0.25+0.433012701892i" in r.stdout, r.stdout
