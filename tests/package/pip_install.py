"""ctest's pip_install test: `pip install .` into a fresh virtual environment, then import,
train and checkpoint there, as a user would after installing.

    /usr/bin/python3 tests/package/pip_install.py <source dir> <CMake build dir>

The venv is made with --system-site-packages (NumPy, SciPy, scikit-learn are Debian's) and pip
runs offline with Debian's setuptools and wheel (--no-build-isolation --no-index). setup.py is
pointed at the existing build tree (STREAMML_BUILD_DIR), where it builds only the module's
target, so the test costs no second compilation. Oracles: scikit-learn's LogisticRegression
(AUC on the same data) and the saving process's own predictions (a checkpoint loaded in another
process predicts bit for bit the same).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

source, build = sys.argv[1], sys.argv[2]
scratch = tempfile.mkdtemp(prefix="streamml_pip_")
venv = os.path.join(scratch, "venv")
python = os.path.join(venv, "bin", "python")
env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
env["PYTHONDONTWRITEBYTECODE"] = "1"


def run(*command, cwd=scratch, extra_env=None):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=cwd, env={**env, **(extra_env or {})})


run("/usr/bin/python3", "-m", "venv", "--system-site-packages", venv)
run(python, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--no-cache-dir",
    "--disable-pip-version-check", "--quiet", source, cwd=source,
    extra_env={"STREAMML_BUILD_DIR": build})

train = textwrap.dedent("""
    import os, sys
    import numpy as np
    import streamml
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    venv = sys.argv[1]
    assert streamml.__file__.startswith(venv), ("not the installed package", streamml.__file__)
    rng = np.random.default_rng(7)
    X = rng.normal(size=(4000, 3))
    p = 1 / (1 + np.exp(-(X @ np.array([1.5, -1.0, 0.5]) - 0.3)))
    y = (rng.random(4000) < p).astype(float)
    model = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad", fit_intercept=True)
    for start in range(0, 4000, 200):
        model.partial_fit(X[start:start + 200], y[start:start + 200])
    ours = roc_auc_score(y, model.predict_proba(X)[:, 1])
    sklearn = roc_auc_score(y, LogisticRegression().fit(X, y).predict_proba(X)[:, 1])
    assert abs(ours - sklearn) < 0.01, (ours, sklearn)
    store = streamml.CheckpointStore(os.path.join(venv, "..", "checkpoints"))
    version = store.save("ctr", model, metadata={"batch_index": 19})
    np.save(os.path.join(venv, "..", "expected.npy"), model.predict_proba(X))
    np.save(os.path.join(venv, "..", "X.npy"), X)
    print(f"installed {streamml.__version__} at {os.path.dirname(streamml.__file__)}; "
          f"AUC {ours:.4f} vs scikit-learn {sklearn:.4f}; saved version {version}")
""")
resume = textwrap.dedent("""
    import os, sys
    import numpy as np
    import streamml
    venv = sys.argv[1]
    store = streamml.CheckpointStore(os.path.join(venv, "..", "checkpoints"))
    model = store.load("ctr")
    X = np.load(os.path.join(venv, "..", "X.npy"))
    assert np.array_equal(model.predict_proba(X), np.load(os.path.join(venv, "..", "expected.npy")))
    assert store.describe("ctr")["batch_index"] == 19
    print("the checkpoint loaded in a new process predicts bit for bit the same")
""")
for script in (train, resume):
    run(python, "-c", script, venv)  # from the scratch folder, not the source: the installed package
shutil.rmtree(scratch)
print("pip_install: ok")
