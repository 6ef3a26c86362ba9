"""`adamant chem fit` under mpirun: the frames of every minibatch are split over the ranks and the
fitted model is the bits one process fits (issue 20). Skipped where Open MPI or a CLI built with
adamant::dist is missing."""

import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from helpers import CLI

MPIRUN = shutil.which("mpirun")
pytestmark = pytest.mark.skipif(not (os.path.isfile(CLI) and MPIRUN),
                                reason="needs the adamant CLI and mpirun (Open MPI)")
FIT = ["chem", "fit", "--train", "60", "--validation", "10", "--test", "20", "--epochs", "3",
       "--batch", "8", "--threads", "1", "--quiet"]
# Open MPI refuses root without these (CI runs as root); oversubscribe: more ranks than cores
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def fit(tmp_path, ranks):
    out = tmp_path / f"np{ranks}.h5"
    cmd = [CLI, *FIT, "-o", str(out)]
    if ranks > 1:
        cmd = [MPIRUN, "-np", str(ranks), *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return out, r.stdout


def test_chem_fit_gives_the_same_model_on_any_number_of_ranks(tmp_path):
    one, _ = fit(tmp_path, 1)
    with h5py.File(one) as f:
        want = f["model/params"][()]
    for ranks in (2, 3):
        path, stdout = fit(tmp_path, ranks)
        if "split over" not in stdout:
            pytest.skip("this adamant was built without adamant::dist")
        assert f"split over {ranks} MPI ranks" in stdout
        assert stdout.count("wrote ") == 1  # rank 0 alone writes
        with h5py.File(path) as f:
            np.testing.assert_array_equal(f["model/params"][()], want)


def test_a_killed_rank_ends_the_job_and_the_checkpoint_resumes(tmp_path):
    """SIGKILL one rank mid-run: mpirun ends the job within seconds (no hang), and resuming the
    last checkpoint, at another rank count, gives the uninterrupted run's model."""
    import signal
    import time
    args = ["chem", "fit", "--train", "300", "--validation", "10", "--test", "10", "--epochs",
            "40", "--batch", "8", "--threads", "1", "--quiet"]
    ref = tmp_path / "ref.h5"
    r = subprocess.run([CLI, *args, "-o", str(ref)], capture_output=True, text=True, env=ENV,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    ck = tmp_path / "ck.h5"
    out = tmp_path / "out.h5"
    job = subprocess.Popen([MPIRUN, "-np", "2", CLI, *args, "--checkpoint", str(ck),
                            "--checkpoint-every", "1", "-o", str(out)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    deadline = time.time() + 120
    while not ck.exists() and time.time() < deadline and job.poll() is None:
        time.sleep(0.05)
    assert ck.exists() and job.poll() is None, "no checkpoint before the run ended"
    ranks = subprocess.run(["pgrep", "-P", str(job.pid)], capture_output=True, text=True)
    pids = [int(p) for p in ranks.stdout.split()]
    if len(pids) != 2:
        job.kill()
        pytest.skip(f"mpirun's ranks are not its children here ({ranks.stdout!r})")
    os.kill(pids[-1], signal.SIGKILL)
    t0 = time.time()
    _, err = job.communicate(timeout=60)
    assert time.time() - t0 < 30, "the job did not end within 30 s of a rank's death"
    assert job.returncode != 0
    assert not out.exists()
    # the checkpoint and the files beside it (best parameters, curve so far), kept so that both
    # resumes start from the same interrupted state
    saved = tmp_path / "saved"
    shutil.copytree(tmp_path, saved, ignore=shutil.ignore_patterns("ref*", "saved"))
    for ranks_again in (1, 2):
        cmd = [CLI, *args, "--checkpoint", str(ck), "--resume", "-o", str(out)]
        if ranks_again > 1:
            cmd = [MPIRUN, "-np", str(ranks_again), *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        with h5py.File(ref) as a, h5py.File(out) as b:
            np.testing.assert_array_equal(a["model/params"][()], b["model/params"][()])
        shutil.copytree(saved, tmp_path, dirs_exist_ok=True)


SCRIPT = """
import sys
import numpy as np
from mpi4py import MPI
from adamant import chem, data
comm = MPI.COMM_WORLD if sys.argv[2] == "mpi" else None
r = chem.fit(data.bundled("ethanol_md_gfn2xtb"), comm=comm, num_train=60, num_validation=10,
             num_test=10, epochs=3, batch_size=8)
if MPI.COMM_WORLD.rank == 0:
    np.save(sys.argv[1], r.potential.params)
"""


def test_python_fit_over_an_mpi4py_communicator(tmp_path):
    pytest.importorskip("mpi4py")
    script = tmp_path / "fit.py"
    script.write_text(SCRIPT)
    env = dict(ENV, PYTHONPATH=os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"),) if p))
    one = subprocess.run(["/usr/bin/python3", str(script), str(tmp_path / "one.npy"), "local"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert one.returncode == 0, one.stderr
    two = subprocess.run([MPIRUN, "-np", "2", "/usr/bin/python3", str(script),
                          str(tmp_path / "two.npy"), "mpi"],
                         capture_output=True, text=True, env=env, timeout=300)
    if "built without MPI" in two.stderr:
        pytest.skip("this adamant was built without adamant::dist")
    assert two.returncode == 0, two.stdout + two.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "one.npy"), np.load(tmp_path / "two.npy"))
