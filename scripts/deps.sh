#!/bin/sh
# Install the Debian 12 packages x4-sriov builds and tests with; quick when all are present.
set -eu
PKGS="build-essential pkg-config libinih-dev libjson-c-dev libcmocka-dev libfuse3-dev fuse3
libpci-dev pciutils libxml2-dev libxml2-utils libvirt-dev libvirt-daemon-system libvirt-clients
qemu-system-x86 qemu-utils ovmf clang libfuzzer-14-dev libclang-rt-14-dev gcovr valgrind
cppcheck clang-tidy busybox-static swtpm swtpm-tools jq liblzma-dev libbrotli-dev uefitool-cli python3"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "x4-sriov: missing build packages:$missing: run 'sudo make deps'" >&2
	exit 1
fi
echo "x4-sriov: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
	apt-get update >/dev/null
	apt-get install -y --no-install-recommends $missing
}
