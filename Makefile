# streamml: the commands a new user types. Each one sets up what is missing first
# (Debian packages, CMake configure into build/), then builds what it needs.
BUILD  ?= build
JOBS   ?= $(shell nproc)
PYTHON := /usr/bin/python3

.PHONY: all setup build demo test notebooks bench clean

all: build

setup:
	@bash scripts/setup

build: setup
	cmake --build $(BUILD) -j $(JOBS)

# The main job: the bundled recorded click stream replayed through the micro-batch pipeline.
demo: build
	@bash scripts/demo $(BUILD)

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

bench: build
	@bash scripts/bench $(BUILD)

clean:
	rm -rf $(BUILD)
