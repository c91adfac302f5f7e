# streamml: the commands a new user types. Each one sets up what is missing first
# (Debian packages, CMake configure into build/), then builds what it needs.
BUILD  ?= build
JOBS   ?= $(shell nproc)
PYTHON := /usr/bin/python3

.PHONY: all setup build demo demo-kafka test test-sanitize fuzz notebooks bench soak clean

all: build

setup:
	@bash scripts/setup

build: setup
	cmake --build $(BUILD) -j $(JOBS)

# The main job: the decision system on the bundled streams (clicks, monitoring, transactions), its summary
# and build/demo/report.html with the plots.
demo: build
	@bash scripts/demo $(BUILD)

# The same system live on Kafka: librdkafka's mock cluster in the process (no broker needed),
# each recorded stream produced into its topic at 864,000x its pace (a day of event time in
# 0.1 s) while the lanes read the topics and write their decisions to topics and files.
demo-kafka: build
	@bash scripts/demo $(BUILD) --kafka mock --speed 864000

# Every test: C++ (GoogleTest), Python (pytest), the README's examples and the notebooks.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Re-executes every notebook in place, so their committed outputs are today's (make test runs
# them into a temporary folder instead and leaves these files alone).
notebooks: build
	cd notebooks && for nb in *.ipynb; do \
	  echo "notebook $$nb"; \
	  PYTHONPATH=$(abspath $(BUILD))/python STREAMML_BIN=$(abspath $(BUILD))/bin/streamml PYDEVD_DISABLE_FILE_VALIDATION=1 \
	    $(PYTHON) -m nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; \
	done

# The C++ and Python tests under ASan+UBSan, the threaded tests under TSan, and the fuzz targets
# briefly over their corpus, each build in its own folder (build-asan, build-tsan; clang):
# scripts/test-sanitize.
test-sanitize:
	@bash scripts/setup --deps
	@bash scripts/test-sanitize

# Every libFuzzer target for FUZZ_SECONDS, growing its corpus in build-asan/fuzz-corpus/.
FUZZ_SECONDS ?= 600
fuzz:
	@bash scripts/setup --deps
	@bash scripts/test-sanitize fuzz-build
	@bash scripts/fuzz build-asan $(FUZZ_SECONDS)

bench: build
	@bash scripts/bench $(BUILD)

# Soak: 10^8 generated records through logreg + a DStream window, and 10^7 through ALS, with
# checkpoints; memory, checkpoint size and throughput sampled and judged for flatness
# (tools/soak/soak.h). Series and plots in $(BUILD)/soak/.
SOAK_RECORDS ?= 100000000
SOAK_ALS_RECORDS ?= 10000000
soak: setup
	cmake --build $(BUILD) -j $(JOBS) --target streamml_soak
	$(BUILD)/bin/streamml_soak --kind logreg --records $(SOAK_RECORDS) --sample-every 500 \
	  --checkpoint-every 1000 --judge-throughput --out $(BUILD)/soak
	$(BUILD)/bin/streamml_soak --kind als --records $(SOAK_ALS_RECORDS) --sample-every 50 \
	  --checkpoint-every 200 --judge-throughput --out $(BUILD)/soak
	$(PYTHON) tools/soak/plot_soak.py $(BUILD)/soak/soak_logreg.csv $(BUILD)/soak/soak_als.csv

clean:
	rm -rf $(BUILD)
