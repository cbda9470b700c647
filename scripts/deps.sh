#!/bin/sh
# Install the Debian 12 packages x4-sriov needs; quick when all are present.
#   deps.sh build   what `make`, `make install` and `make deb` need, and the host the programs run on
#                   (libvirt, QEMU, OVMF, swtpm): all a real board needs (make deps-build)
#   deps.sh test    what `make check` adds: compilers and checkers, fuzzing, AppArmor's parser,
#                   firmware and packaging tools, dkms (the lab builds a module against Debian's
#                   kernel headers, which need libelf1 and libssl3) (make deps-test)
#   deps.sh         both (make deps)
set -eu
BUILD="build-essential pkg-config libinih-dev libjson-c-dev libcmocka-dev libfuse3-dev fuse3
libpci-dev pciutils libxml2-dev libvirt-dev libvirt-daemon-system libvirt-clients
qemu-system-x86 qemu-utils ovmf swtpm swtpm-tools liblzma-dev libbrotli-dev debhelper"
TEST="libxml2-utils clang libfuzzer-14-dev libclang-rt-14-dev gcovr valgrind cppcheck clang-tidy
busybox-static jq apparmor uefitool-cli lintian python3 gdb dkms libelf1 libssl3"
case "${1:-all}" in
build) PKGS=$BUILD what=build-deps ;;
test) PKGS=$TEST what=test-deps ;;
all) PKGS="$BUILD $TEST" what=deps ;;
*) echo "usage: deps.sh [build|test|all]" >&2; exit 2 ;;
esac
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "x4-sriov: missing packages:$missing: run 'sudo make $what'" >&2
	exit 1
fi
echo "x4-sriov: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
	apt-get update >/dev/null
	apt-get install -y --no-install-recommends $missing
}
