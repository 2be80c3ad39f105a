#!/usr/bin/env bash
# Build the Python package into a fresh virtual environment (as a user would: `pip install`,
# maturin from PyPI as the build backend) and run its tests. Run after `cargo test --release
# --workspace`, which builds target/release/ether for the tests that compare with the CLI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-ci"
rm -rf "$venv"
"${PYTHON:-python3}" -m venv "$venv"   # PYTHON=/usr/bin/python3 for the system (Debian) interpreter
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$here" pytest
cd "$here/tests"   # not the source tree's parent: the tests import the installed package
ETHER_CLI="$here/../target/release/ether" "$venv/bin/python" -m pytest -q -p no:cacheprovider "$here/tests"
