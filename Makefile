# vidflow — `make demo`, `make test`, `make bench` on a fresh Debian machine with Swift.
# Each target first installs the Debian packages it needs, and only those that are missing.

SWIFT        ?= swift
DATA_DIR     ?= .vidflow
SUDO         := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
BUILD_PKGS   := pkg-config libsqlite3-dev libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev
# The ffmpeg CLI checks outputs in tests and is the baseline in benchmarks (vidflow never runs it);
# python3 serves files over loopback HTTP and `script` (bsdutils) gives the CLI a terminal in tests.
TEST_PKGS    := ffmpeg python3 bsdutils python3-venv
# The OpenAPI tests (Tests/VidflowServerTests/OpenAPIFuzzTests.swift) run these from a virtualenv in .venv:
# the document is validated as OpenAPI 3.1, and schemathesis fuzzes the live server against it;
# prometheus_client parses `/metrics` (Tests/VidflowServerTests/MetricsExpositionTests.swift).
VENV         ?= .venv
PY_TEST_TOOLS := schemathesis==4.32.5 openapi-spec-validator==0.9.0 prometheus-client==0.26.0
# `make fuzz`: examples per operation of the long run (`make test` runs 25, with a fixed seed).
FUZZ_EXAMPLES ?= 300

.PHONY: all build demo test fuzz check-responses bench deps test-deps venv clean

all: build

define install_missing
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(BUILD_PKGS))

test-deps: deps
	$(call install_missing,$(TEST_PKGS))
	@$(MAKE) --no-print-directory venv

# (Re)creates $(VENV) when it is missing or holds other versions than PY_TEST_TOOLS.
venv:
	@if [ "$$(cat $(VENV)/.tools 2>/dev/null)" != "$(PY_TEST_TOOLS)" ]; then \
		echo "creating $(VENV) with $(PY_TEST_TOOLS)"; \
		python3 -m venv $(VENV) && $(VENV)/bin/pip install --quiet --disable-pip-version-check $(PY_TEST_TOOLS) \
			&& echo "$(PY_TEST_TOOLS)" > $(VENV)/.tools; \
	fi

build: deps
	$(SWIFT) build --product vidflow

demo: build
	@./scripts/demo.sh "$(DATA_DIR)"

# The whole suite; every JSON answer the server tests get is recorded and checked against share/openapi.yaml.
test: test-deps
	$(SWIFT) build --build-tests
	rm -f .build/answers.jsonl
	VIDFLOW_RECORD_RESPONSES=$(CURDIR)/.build/answers.jsonl $(SWIFT) test --skip-build
	$(VENV)/bin/python scripts/check-response-schemas.py share/openapi.yaml .build/answers.jsonl

# The long property-based run of the API against share/openapi.yaml, with a new seed each time.
fuzz: test-deps
	$(SWIFT) build --build-tests
	VIDFLOW_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) VIDFLOW_FUZZ_SEED=random $(SWIFT) test --skip-build --filter OpenAPIFuzzTests

# Every JSON answer the server test suite gets, checked against share/openapi.yaml (see docs/security.md).
check-responses: test-deps
	$(SWIFT) build --build-tests
	rm -f .build/answers.jsonl
	VIDFLOW_RECORD_RESPONSES=$(CURDIR)/.build/answers.jsonl $(SWIFT) test --skip-build --filter VidflowServerTests
	$(VENV)/bin/python scripts/check-response-schemas.py share/openapi.yaml .build/answers.jsonl

bench: test-deps
	$(SWIFT) build -c release --product vidflow-bench
	$(SWIFT) run -c release --skip-build vidflow-bench

clean:
	rm -rf .build .vidflow $(VENV)
