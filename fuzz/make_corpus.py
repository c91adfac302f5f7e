#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from the bundled data (data/),
the checkpoint fixtures (tests/data/checkpoints/) and hand-made edge cases. Each seed starts
with the control bytes its target reads (see the target's header comment). Run from the
repository root; the output is committed, so CI needs no Python to fuzz."""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")


def head(path, lines):
    with open(os.path.join(ROOT, path), "rb") as f:
        return b"".join(f.readline() for _ in range(lines))


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def record_control(flags=0, label=0, key=0, time=0, categorical=0, text=0, item=0):
    # fuzz/record_harness.h: flags, then the columns given each role (0: none, c: column c-1).
    return bytes([flags, label, key, time, categorical, text, item])


CHUNK = bytes([2])  # 16 + 16 * 2 = 48-byte chunks: records cross chunk boundaries

# Everything but the inputs findings were made of (crash-*, leak-*, ...: kept by hand with the
# fix that made them pass) is rewritten.
for target in os.listdir(OUT) if os.path.isdir(OUT) else []:
    for name in os.listdir(os.path.join(OUT, target)):
        if not name.startswith(("crash-", "leak-", "oom-", "timeout-")):
            os.remove(os.path.join(OUT, target, name))

# --- CSV (file chunks) ---
clicks = head("data/clicks.csv", 12)
sensors = head("data/sensors.csv", 12)
csv = {
    # the bundled streams as the command line reads them: time, key, categorical, label
    "clicks": record_control(0, label=12, key=2, time=1, categorical=10) + CHUNK + clicks,
    "clicks_text_item": record_control(32, label=12, time=1, text=11, item=10) + CHUNK + clicks,
    "sensors": record_control(0, key=2, time=1) + CHUNK + sensors,
    "quoted": record_control(8, label=3) + CHUNK +
              b'a,"b ""q""",c\n1,"2",3\n"4","5\n6",7\n" 8 ",9,"10"\n',
    "crlf_bom_blank": record_control(0) + CHUNK + b"\xef\xbb\xbfx,y\r\n1,2\r\n\r\n\n3,4\r\n5,6",
    "non_finite": record_control(8, label=2) + CHUNK + b"x,y\nnan,1\ninf,0\n-inf,1\n,0\n+1e308,1\n1e400,0\n",
    "bad_fields": record_control(0, label=2) + CHUNK + b"x,y\n1\n1,2,3\nabc,1\n0x10,1\n--1,0\n1,\n",
    "no_header_semicolon": record_control(1 | 4) + CHUNK + b"1;2;3;4\n5;6;7;8\n9;10;11\n",
    "tab_times": record_control(2, time=1, key=2) + CHUNK +
                 b"t\tk\tv\n1700000000\tu1\t1\n2026-11-21T10:00:00Z\tu2\t2\n2026-11-21 10:00:00.5+01:00\tu3\t3\nnot-a-time\tu4\t4\n",
    "unterminated_quote": record_control(0) + CHUNK + b'a,b\n1,"2\n3,4\n',
    "duplicate_header": record_control(0) + CHUNK + b"a,a\n1,2\n",
    "empty": record_control(0) + CHUNK,
}
for name, data in csv.items():
    write("fuzz_csv", name, data)

# --- JSON Lines (file chunks) ---
jsonl = {
    "typed": record_control(0, label=5, key=1, time=2) + CHUNK +
             b'{"user":"u1","t":1700000000,"x":1.5,"y":-2,"label":true}\n'
             b'{"label":0,"x":3,"y":4e1,"user":"u2","t":"2026-11-21T10:00:00Z"}\n'
             b'{"user":"u3","t":1700000000.25,"x":5,"y":6,"label":1,"extra":[1,{}]}\n',
    "nulls_missing": record_control(8, label=3) + CHUNK +
                     b'{"a":1,"b":null,"c":1}\n{"a":2}\n{"b":"x","c":0}\n\n{"a":1e999,"c":1}\n',
    "not_objects": record_control(0) + CHUNK + b'{"a":1}\n[1,2]\n"text"\n{"a":\n{"a":1}}\n',
    "strings": record_control(16, key=1, categorical=2, text=3, item=4) + CHUNK +
               b'{"k":"12","c":"red","t":"two words","v":1}\n{"k":7,"c":"\\u00e9","t":"a\\nb","v":2}\n',
    "empty": record_control(0) + CHUNK,
}
for name, data in jsonl.items():
    write("fuzz_jsonl", name, data)


# --- messages (Kafka payloads through the memory transport) ---
def messages(shape, payloads):
    return record_control(0, label=0) + bytes([shape]) + b"\x1e".join(payloads)


clicks_lines = clicks.rstrip(b"\n").split(b"\n")
write("fuzz_messages", "csv_one_partition", record_control(0, label=12, time=1) + bytes([0]) +
      b"\x1e".join(clicks_lines[:6]))
write("fuzz_messages", "csv_keys_partitions", record_control(0, label=12, key=2) + bytes([2 << 1 | 1 << 3]) +
      b"\x1e".join([clicks_lines[0]] + [b"k%d\x1f" % i + l for i, l in enumerate(clicks_lines[1:8])]))
write("fuzz_messages", "jsonl", record_control(0, label=3, key=1) + bytes([1 | 1 << 1]) +
      b'{"k":"a","x":1,"y":0}\x1e{"k":"b","x":2,"y":1}\x1ekey\x1f{"k":"c","x":3,"y":1}\x1e[1]\x1e{"k":"d","x":"?","y":0}')
write("fuzz_messages", "csv_newline_inside", record_control(0) + bytes([0]) + b'a,b\x1e1,"x\ny"\x1e2,3\n4,5\x1e')

# --- event times ---
for i, text in enumerate([b"1700000000", b"1700000000.25", b"-1.5", b"2026-11-21T10:00:00Z",
                          b"2026-11-21 10:00:00.5+01:00", b"2026-11-21", b"2026-02-31T23:59:60.999999999-14:00",
                          b"0000-01-01T00:00:00Z", b"9999-12-31T23:59:59.999999Z", b"9223372036854",
                          b"1e300", b"nan", b"500ms", b"1.5s", b"2m", b"1h", b"1d", b"3us", b"0s", b" 7 "]):
    write("fuzz_event_time", "t%02d" % i, text)

# --- settings: --param text and checkpoint params JSON, per registered type (in registry order) ---
types = ["logreg", "kmeans", "dbscan", "prequential", "als", "prequential_ranking", "allocate", "autoscale"]
text_params = {
    "logreg": b"step_size=0.1\noptimizer=adagrad\nreg_param=0.001\npenalty=l2\nseed=7",
    "kmeans": b"k=3\ndecay_factor=0.5\ninit=k-means++\ninitial_centers=1,2;3,4;5,6",
    "dbscan": b"min_samples=5\nwindow_batches=3",
    "prequential": b"window=100\nauc_bins=64\nthreshold=0.5",
    "als": b"rank=8\nreg_param=0.1\nimplicit_prefs=true\nalpha=40\nmax_per_user=100",
    "prequential_ranking": b"top_n=10\nwindow=1000",
    "allocate": b"services=2\ninstance_cost=1,2\ntime_limit=1",
    "autoscale": b"services=2\nbudget=10\ninstance_cost=1,2\nmin_instances=1\nmax_instances=8",
}
for i, t in enumerate(types):
    write("fuzz_settings", "%s_text" % t, bytes([i, 0]) + text_params[t])
fixtures = os.path.join(ROOT, "tests", "data", "checkpoints")
expected = json.load(open(os.path.join(fixtures, "expected.json")))
params_seen = set()
try:
    import h5py  # the fixtures' params as checkpoints hold them
    for name in sorted(os.listdir(fixtures)):
        if not name.endswith(".h5") or name in ("truncated.h5", "corrupted.h5"):
            continue
        with h5py.File(os.path.join(fixtures, name), "r") as f:
            t = f.attrs["learner_type"]
            t = t.decode() if isinstance(t, bytes) else str(t)
            p = f.attrs["params"]
            p = p.encode() if isinstance(p, str) else bytes(p)
        if t in types and (t, p) not in params_seen:
            params_seen.add((t, p))
            write("fuzz_settings", "%s_json_%s" % (t, name[:-3]), bytes([types.index(t), 1]) + p)
except ImportError:
    pass
write("fuzz_settings", "bad_pairs", bytes([0, 0]) + b"step_size\n=1\nstep_size=1\nstep_size=2")
write("fuzz_settings", "json_shapes", bytes([1, 1]) + b'{"k":[1],"initial_centers":[[1,2],[3]],"x":{}}')

# --- checkpoints: the fixtures, whole ---
for name in sorted(os.listdir(fixtures)):
    if name.endswith(".h5"):
        data = open(os.path.join(fixtures, name), "rb").read()
        write("fuzz_checkpoint_bytes", name, data)
        write("fuzz_checkpoint_file", name, data)

# --- MPS models, hand-made ---
mps = b"""NAME          TINY
OBJSENSE
    MAX
ROWS
 N  COST
 L  LIM1
 G  LIM2
 E  MYEQN
COLUMNS
    MARKER                 'MARKER'                 'INTORG'
    X1        COST         1.0   LIM1         1.0
    X1        LIM2         1.0
    MARKER                 'MARKER'                 'INTEND'
    X2        COST         2.0   LIM1         1.0
    X2        MYEQN       -1.0
    X3        COST        -1.0   MYEQN        1.0
RHS
    RHS       COST        -3.5
    RHS       LIM1         4.0   LIM2         1.0
    RHS       MYEQN        7.0
RANGES
    RNG       LIM1         2.5
BOUNDS
 UP BND       X1           4.0
 MI BND       X2
 FR BND       X3
ENDATA
"""
write("fuzz_mps_model", "tiny.mps", mps)
write("fuzz_mps_model", "free.mps", b"NAME x\nROWS\n N obj\n L c1\nCOLUMNS\n x obj 1 c1 1\n y obj -1 c1 2\nRHS\n rhs c1 3\nBOUNDS\n BV b x\nENDATA\n")
write("fuzz_mps_model", "objsense_same_card.mps", b"NAME s\nOBJSENSE MAXIMIZE\nROWS\n N obj\n G c\nCOLUMNS\n x obj 2 c 1\nRHS\n r c 1\nENDATA\n")
write("fuzz_mps_model", "bad.mps", b"NAME x\nROWS\n N obj\nCOLUMNS\n  x obj 1 nosuchrow 2\nENDATA\n")
write("fuzz_mps_model", "grammar.mps", b"""* every part of the grammar streamml's reader takes (mps_format.h)
NAME          HAND      (a comment)
OBJSENSE MAX
OBJNAME
    profit
ROWS
 N  other
 n  profit
 E  e_up
 E  e_down
 L  l
 G  g
COLUMNS
    x         profit    3.0        e_up      1.0
    x         other     7.0
\tx\tl\t2.5
    M         'MARKER'                 'INTORG'
    k         profit    -1.0       g         1.0
    b         e_down    1.0
    M         'MARKER'                 'INTEND'
    y         profit    +0.5E+00   g         -2e0
RHS
    profit    4.0
    e_up      1.0        e_down    2.0
    l         10.0       g         -1.5
RANGES
    R         e_up      2.0        e_down    -0.5
    R         l         -4.0       g         1.0
BOUNDS
 UP BND       x         -2.0
 LI BND       b         -3
 UI BND       b         5
 BV BND       k
 MI BND       y
 PL BND       y
ENDATA
""")

# --- LP models (streamml's own reader, lp_format.h), hand-made: every part of the grammar, a
# hand-worked model, and the text that made CoinLpIO corrupt memory ---
write("fuzz_lp_model", "grammar.lp", b"""\\ a comment
\\* a block comment
   over two lines *\\
Maximize
 profit: 3 x + 2 y - z + 0.5 x + 4   / a CoinLpIO-style comment
Subject To
 cap: x + y <= 4
 x + 3 y
   =< 6
 r: -2 <= x - z <= 5
 e: 2 z = 1.5e0
 g: y + 1 >= 2
Bounds
 x <= 3
 -inf <= z <= 10
 y free
 7 >= w >= -1
 v = 2
Generals
 y
Binaries
 b
End
""")
write("fuzz_lp_model", "worked.lp", b"Max\n 3 x + 2 y\nst\n x + y <= 4\n x + 3 y <= 6\nBounds\n x <= 3\nEnd\n")
write("fuzz_lp_model", "coinlpio_memcpy.lp", b"Minimize\n obj: +\nSubject To\n  To\n c: x >= nd\n")
