# The two commands of the README, and the usual targets. CMake does the
# building; this file only strings the steps together.
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps deps-test build example check test asan fuzz bench install clean format

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Quick start 1: set up, build, run the example workflow offline.
example: build
	@scripts/example.sh $(BUILD)/sfn

# Quick start 2: set up, build and run the whole test suite: gcc with
# warnings as errors, then ASan+UBSan, then a short fuzz run with clang.
check: deps-test
	@scripts/check.sh

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

install: build
	@DESTDIR=$(DESTDIR) cmake --install $(BUILD)

bench: build
	@scripts/bench.sh $(BUILD)/sfn

format:
	@clang-format -i cmd/*.[ch] lib/*/*.[ch]

clean:
	rm -rf build build-*
