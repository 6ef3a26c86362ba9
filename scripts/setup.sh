#!/usr/bin/env bash
# Installs the Debian 12 packages adamant needs. Idempotent: prints nothing and touches nothing
# when every package is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ccache
  libeigen3-dev libhdf5-dev hdf5-tools libquantlib0-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  pybind11-dev python3-dev python3-numpy python3-h5py python3-pytest python3-matplotlib
  python3-torch python3-cvxopt python3-ase
  clang-format clang libclang-rt-14-dev libomp-14-dev libpng-dev libcairo2-dev fonts-dejavu-core
  libopenmpi-dev openmpi-bin python3-mpi4py
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
