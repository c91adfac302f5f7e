"""The README's Python example runs as written (River runs its README the same way).

Oracle: the example itself; it must run to completion from the repository root with the
built package importable, as a user who followed the README would run it.
"""
import os
import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def python_blocks(markdown):
    return re.findall(r"^```python[ \t]*\n(.*?)^```[ \t]*$", markdown, flags=re.S | re.M)


def test_readme_python_example_runs(streamml_python_dir, tmp_path):
    readme = REPO / "README.md"
    assert readme.is_file(), (
        f"{readme} does not exist: the README with a ```python example is part of issue 2")
    blocks = python_blocks(readme.read_text(encoding="utf-8"))
    assert blocks, f"{readme} has no ```python code block to run"
    script = tmp_path / "readme_example.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(streamml_python_dir)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("MPLBACKEND", "Agg")
    result = subprocess.run([sys.executable, str(script)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        f"README python example failed (exit {result.returncode})\n"
        f"--- script ---\n{script.read_text()}\n--- stdout ---\n{result.stdout}\n"
        f"--- stderr ---\n{result.stderr}")
