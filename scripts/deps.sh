#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian bookworm packages the build and the tests need, if any
# is missing.  Sourced by bootstrap.sh and test.sh; needs root (or sudo) only
# when something has to be installed.
ec_install_deps() {
	local pkgs=(build-essential cmake ninja-build pkgconf libcmocka-dev libyaml-dev gnuplot-nox
		libsodium-dev libargon2-dev b3sum)
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
