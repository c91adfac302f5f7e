"""Every translation unit that includes <simdjson.h> sees the same simdjson configuration.

Oracle: the one-definition rule and simdjson.h 3.0.1 (include/simdjson/dom/parser.h):
`dom::parser` has a `bool threaded` member before `implementation` only when
SIMDJSON_THREADS_ENABLED is defined, which simdjson's CMake package asks for
(INTERFACE_COMPILE_DEFINITIONS) and _REENTRANT (-pthread) also turns on. Two units compiled
differently give two layouts of one class, and the linker keeps one out-of-line copy of its
inline members (parse_into_document) for both. That happened: apps/decision_judge.cpp included
<simdjson.h> without linking simdjson::simdjson, so in the Python module (whose first
simdjson-using object is in streamml_app) core/settings.cpp's parser was read at the wrong
offset: UBSan "member call on misaligned address" on `import streamml` under
scripts/test-sanitize asan-python.
"""
import json
import os
import pathlib
import re
import shlex

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY_DIR = pathlib.Path(os.environ.get("STREAMML_BINARY_DIR", REPO / "build"))
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def _units_including_simdjson():
    """Sources of the repository that include <simdjson.h>, directly or through its headers."""
    files = [p for p in REPO.rglob("*") if p.suffix in (".h", ".cpp", ".c")
             and not any(part.startswith("build") or part.startswith(".") for part in p.relative_to(REPO).parts)]
    includes = {p: set(INCLUDE.findall(p.read_text(errors="replace"))) for p in files}
    reaching = {"simdjson.h"}
    while True:  # headers of the repository that reach simdjson.h, by their include name
        more = {str(p.relative_to(REPO)) for p, inc in includes.items()
                if p.suffix == ".h" and inc & reaching} - reaching
        if not more:
            break
        reaching |= more
    return {p.resolve() for p, inc in includes.items() if p.suffix != ".h" and inc & reaching}


def _simdjson_configuration(command):
    """The flags that decide simdjson's layout: its SIMDJSON_* macros and whether threads are on."""
    args = command.get("arguments") or shlex.split(command["command"])
    macros = sorted(a for a in args if a.startswith("-DSIMDJSON_") or a.startswith("-USIMDJSON_"))
    threads = "-pthread" in args or any(a.startswith("-D_REENTRANT") for a in args) or \
        any(m.startswith("-DSIMDJSON_THREADS_ENABLED") for m in macros)
    return tuple(macros), threads


def test_every_unit_that_includes_simdjson_is_compiled_with_the_same_simdjson_configuration():
    database = BINARY_DIR / "compile_commands.json"
    assert database.is_file(), f"{database} is missing: configure the build (CMAKE_EXPORT_COMPILE_COMMANDS)"
    units = _units_including_simdjson()
    assert len(units) >= 10, f"expected the simdjson users of core/ and streaming/, found {sorted(map(str, units))}"
    seen = {}
    for command in json.loads(database.read_text()):
        path = (pathlib.Path(command["directory"]) / command["file"]).resolve()
        if path in units:
            seen.setdefault(_simdjson_configuration(command), []).append(str(path.relative_to(REPO)))
    assert len(seen) == 1, "simdjson compiled two ways (ODR: dom::parser's layout differs): " + "; ".join(
        f"macros {list(macros)}, threads {threads}: {sorted(files)}" for (macros, threads), files in seen.items())
    (macros, threads), = seen
    assert threads, f"simdjson's CMake package enables threads, got macros {list(macros)}"
