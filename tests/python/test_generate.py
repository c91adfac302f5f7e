"""streamml.generate writes exactly what `streamml generate` writes.

Oracles: the command line's own output files, byte for byte, for every kind with its own
settings given (as --flags there, as keywords here); and the bundled data/ files, which
data/README.md says `streamml generate` made with the commands it shows.
"""
import subprocess

import pytest
import streamml

from sigkill import streamml_bin

# (kind, command-line flags, the same as keywords), with every kind's own settings changed.
CASES = [
    ("clicks", ["--users", "300", "--zipf", "0.7"], dict(users=300, zipf=0.7)),
    ("sensors", ["--devices", "17", "--clusters", "6", "--anomaly-rate", "0.05", "--drift", "5"],
     dict(devices=17, clusters=6, anomaly_rate=0.05, drift=5)),
    ("weblog", ["--pages", "40", "--users", "12"], dict(pages=40, users=12)),
    ("transactions", ["--customers", "50"], dict(customers=50)),
]


def _files(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _side_files(kind, name):
    return {"clicks": [name + ".model.json"], "sensors": [name + ".truth.csv", name + ".model.json"],
            "weblog": [name + ".truth.json"], "transactions": [name + ".truth.csv", name + ".model.json"]}[kind]


def _cli(kind, out, *flags):
    subprocess.run([streamml_bin(), "generate", kind, "--out", str(out), *flags], check=True,
                   capture_output=True)


@pytest.mark.parametrize("name", ["stream.csv", "stream.jsonl"])
@pytest.mark.parametrize("kind,flags,keywords", CASES, ids=[c[0] for c in CASES])
def test_same_bytes_as_the_command_line(tmp_path, kind, flags, keywords, name):
    (tmp_path / "cli").mkdir()
    (tmp_path / "py").mkdir()
    common = ["--events", "2500", "--seed", "7", "--rate", "3.5", "--start", "2024-02-28T23:59:00Z"]
    _cli(kind, tmp_path / "cli" / name, *common, *flags)
    report = streamml.generate(kind, tmp_path / "py" / name, events=2500, seed=7, rate=3.5,
                               start="2024-02-28T23:59:00Z", **keywords)
    cli_files, py_files = _files(tmp_path / "cli"), _files(tmp_path / "py")
    assert sorted(cli_files) == sorted(py_files) and len(py_files) >= 2
    for file_name, data in cli_files.items():
        assert py_files[file_name] == data, file_name
    assert report["events"] == 2500
    assert report["written"] == [str(tmp_path / "py" / n) for n in _side_files(kind, name)]
    assert report["first_event_time"].startswith("2024-02-28T23:59:00")


@pytest.mark.parametrize("kind,events,files", [
    ("clicks", 50_000, ["clicks.csv", "clicks.csv.model.json"]),
    ("sensors", 20_000, ["sensors.csv", "sensors.csv.truth.csv", "sensors.csv.model.json"]),
])
def test_the_bundled_files_regenerate_identically(tmp_path, repo_root, kind, events, files):
    streamml.generate(kind, tmp_path / f"{kind}.csv", events=events, seed=42)
    for name in files:
        assert (tmp_path / name).read_bytes() == (repo_root / "data" / name).read_bytes(), name


def test_start_as_epoch_seconds_is_the_same_time_as_text(tmp_path):
    a = streamml.generate("clicks", tmp_path / "a.csv", events=100, start=1_700_000_000)
    b = streamml.generate("clicks", tmp_path / "b.csv", events=100, start="2023-11-14T22:13:20Z")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert a["first_event_time"] == b["first_event_time"]


def test_a_flag_of_another_kind_is_ignored_by_the_command_line_as_before(tmp_path):
    _cli("sensors", tmp_path / "plain.csv", "--events", "300")
    _cli("sensors", tmp_path / "users.csv", "--events", "300", "--users", "5")
    assert (tmp_path / "plain.csv").read_bytes() == (tmp_path / "users.csv").read_bytes()


def test_bad_options_raise_value_error_naming_them(tmp_path):
    out = tmp_path / "x.csv"
    with pytest.raises(ValueError, match=r"clicks has no setting 'userz'; known: .* \(did you mean 'users'\?\)"):
        streamml.generate("clicks", out, userz=3)
    with pytest.raises(ValueError, match=r"sensors: clusters must be in \[1, 8\], got 9"):
        streamml.generate("sensors", out, clusters=9)
    with pytest.raises(ValueError, match="events must be an integer, got 'many'"):
        streamml.generate("clicks", out, events="many")
    with pytest.raises(ValueError, match="unknown generator kind 'bananas'"):
        streamml.generate("bananas", out)
    with pytest.raises(OSError, match="no_such_dir"):
        streamml.generate("clicks", tmp_path / "no_such_dir" / "x.csv", events=10)
    assert not out.exists()


def test_the_docstring_lists_every_kinds_settings():
    for kind in ("clicks", "sensors", "weblog", "transactions"):
        assert f"  {kind}:\n" in streamml.generate.__doc__
    assert "anomaly_rate (float, default 0.005, in [0, 0.5])" in streamml.generate.__doc__
