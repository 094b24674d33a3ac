#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian bookworm packages the build and the tests need, if any
# is missing.  Sourced by bootstrap.sh and test.sh; needs root (or sudo) only
# when something has to be installed.

# What building and running ecsim needs (bootstrap.sh).
EC_DEPS=(build-essential cmake ninja-build pkgconf libcmocka-dev libyaml-dev gnuplot-nox
	libsodium-dev libargon2-dev b3sum liblmdb-dev libuv1-dev libjansson-dev lmdb-utils python3-pytest)
# What test.sh adds: clang for the second compiler's build and libFuzzer
# (the sanitizer and fuzzer runtimes are a separate package, which
# --no-install-recommends would otherwise leave out).
EC_TEST_DEPS=(clang libclang-rt-dev)

# ec_install_deps [PACKAGE...]: EC_DEPS and the given packages.
ec_install_deps() {
	local pkgs=("${EC_DEPS[@]}" "$@")
	local missing=()
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "Installing: ${missing[*]}" >&2
	$sudo apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
