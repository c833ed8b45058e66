# vidflow — `make demo`, `make test`, `make bench` on a fresh Debian machine with Swift.
# Each target first installs the Debian packages it needs, and only those that are missing.

SWIFT        ?= swift
DATA_DIR     ?= .vidflow
SUDO         := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
BUILD_PKGS   := pkg-config libsqlite3-dev libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev
# The ffmpeg CLI checks outputs in tests and is the baseline in benchmarks (vidflow never runs it);
# python3 serves files over loopback HTTP and `script` (bsdutils) gives the CLI a terminal in tests.
TEST_PKGS    := ffmpeg python3 bsdutils

.PHONY: all build demo test bench deps test-deps clean

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

build: deps
	$(SWIFT) build --product vidflow

demo: build
	@./scripts/demo.sh "$(DATA_DIR)"

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: test-deps
	$(SWIFT) build -c release --product vidflow-bench
	$(SWIFT) run -c release --skip-build vidflow-bench

clean:
	rm -rf .build .vidflow
