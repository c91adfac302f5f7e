"""pip install . : the Python package, built by this repository's CMake project.

The module is a CMake target (bindings/python, `_streamml`), so the build step here only
drives CMake and copies what it made into the wheel:

* the CMake build tree is $STREAMML_BUILD_DIR when set, else build/ when `make build` has
  configured it (only the module's target is built, so nothing is compiled twice), else a tree
  of its own, build-python/, configured like scripts/setup does (Release, Ninja and ccache when
  present) with tests, benchmarks and examples left out. It sits beside build/, at the same
  depth, so that ccache (which rewrites paths relative to the build folder) serves it the
  objects of any earlier build/ of the same sources;
* the wheel holds build/python/streamml: the pure-Python files and _streamml<EXT_SUFFIX>.

Nothing is downloaded: the C++ dependencies are Debian packages (scripts/setup --deps).
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text()
    match = re.search(r"project\(streamml\s+VERSION\s+([0-9.]+)", text)
    if match is None:
        raise RuntimeError("setup.py: no 'project(streamml VERSION x.y.z' in CMakeLists.txt")
    return match.group(1)


def build_tree():
    """(folder, whether setup.py has to configure it)."""
    given = os.environ.get("STREAMML_BUILD_DIR")
    if given:
        tree = Path(given).resolve()
        return tree, not (tree / "CMakeCache.txt").is_file()
    if (ROOT / "build" / "CMakeCache.txt").is_file():
        return ROOT / "build", False
    tree = ROOT / "build-python"
    return tree, not (tree / "CMakeCache.txt").is_file()


def configure(tree):
    command = ["cmake", "-S", str(ROOT), "-B", str(tree), "-DCMAKE_BUILD_TYPE=Release",
               f"-DPython_EXECUTABLE={sys.executable}", "-DSTREAMML_BUILD_PYTHON=ON",
               "-DSTREAMML_BUILD_TESTS=OFF", "-DSTREAMML_BUILD_BENCH=OFF",
               "-DSTREAMML_BUILD_EXAMPLES=OFF"]
    if shutil.which("ninja"):
        command += ["-G", "Ninja"]
    if shutil.which("ccache"):
        command += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"]
    subprocess.check_call(command)


class BuildWithCMake(build_py):
    """build_py that first builds the module with CMake, then copies build/python/streamml."""

    def run(self):
        tree, fresh = build_tree()
        if fresh:
            configure(tree)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.check_call(["cmake", "--build", str(tree), "--target", "_streamml", "-j", jobs])
        package = tree / "python" / "streamml"
        module = package / ("_streamml" + sysconfig.get_config_var("EXT_SUFFIX"))
        if not module.is_file():
            built = sorted(p.name for p in package.glob("_streamml*"))
            raise SystemExit(
                f"setup.py: {tree} built {built or 'no module'} but this Python "
                f"({sys.executable}, {sys.version.split()[0]}) needs {module.name}: that tree was "
                f"configured for another Python. Set STREAMML_BUILD_DIR to a new folder to build "
                f"one for this Python.")
        target = Path(self.build_lib) / "streamml"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for source in sorted(package.glob("*.py")) + [module]:
            shutil.copy2(source, target / source.name)


class BinaryDistribution(Distribution):
    """The wheel holds a compiled module: tag it for this platform and Python."""

    def has_ext_modules(self):
        return True


setup(
    version=project_version(),
    packages=["streamml"],
    package_dir={"streamml": "bindings/python/streamml"},
    cmdclass={"build_py": BuildWithCMake},
    distclass=BinaryDistribution,
    options={"build": {"build_base": "build/setuptools"}},
    zip_safe=False,
)
