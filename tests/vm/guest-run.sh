#!/bin/bash
# SPDX-License-Identifier: MIT
# Inside the guest (chroot on the host's tree): run each scenario given, echo its ok/not ok lines,
# and end with one line "N passed, N failed" over all of them (what run.sh reads). Between
# scenarios, put the PF back as booted so each scenario starts from the same machine.
set -u
cd "$(dirname "$0")/../.." || exit 1
PF=/sys/bus/pci/devices/0000:01:00.0
pass=0 fail=0
out=$(mktemp)
fifo=$out.fifo

# vfio_in_use: some process has a /dev/vfio group open (then unbinding or sriov_numvfs=0 blocks).
vfio_in_use() {
	find /proc/[0-9]*/fd -maxdepth 1 -lname '/dev/vfio/[0-9]*' -print -quit 2>/dev/null | grep -q .
}

# reset: VFs off vfio-pci, overrides cleared, VFs removed, autoprobe on, x4 run state gone.
reset() {
	local vf d
	if vfio_in_use; then
		echo "# reset: a process still holds a VFIO group; leaving the VFs as they are"
		return
	fi
	for vf in "$PF"/virtfn*; do
		[ -e "$vf" ] || continue
		d=$(readlink -f "$vf")
		[ -e "$d/driver" ] && echo "${d##*/}" >"$d/driver/unbind"
		echo >"$d/driver_override"
	done
	[ "$(cat "$PF/sriov_numvfs")" = 0 ] || echo 0 >"$PF/sriov_numvfs"
	echo 1 >"$PF/sriov_drivers_autoprobe"
	rm -rf /run/x4-sriov
}

# boot: what a Debian host's boot does before any daemon runs: load every AppArmor profile of
# /etc/apparmor.d (apparmor.service), enforcing. The kernel log keeps every denial (the audit
# printk is rate-limited by default, which would drop some: no limit here).
boot() {
	local n
	echo 0 >/proc/sys/kernel/printk_ratelimit
	if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] ||
		[ ! -d /sys/kernel/security/apparmor ]; then
		echo "# boot: AppArmor is not enabled in this kernel (or no securityfs)"
		return
	fi
	apparmor_parser --replace -- /etc/apparmor.d/ || echo "# boot: apparmor_parser failed on /etc/apparmor.d"
	n=$(wc -l </sys/kernel/security/apparmor/profiles)
	echo "# boot: AppArmor on, $n profiles loaded from /etc/apparmor.d (guest uptime $(cut -d" " -f1 /proc/uptime)s)"
}
boot

for s in "$@"; do
	echo "# scenario $s (guest uptime $(cut -d" " -f1 /proc/uptime)s)"
	# Own session and process group (the pid of setsid's bash), so whatever it left running
	# can be ended afterwards; the output goes live through tee.
	rm -f "$fifo"; mkfifo "$fifo"
	tee "$out" <"$fifo" &
	tpid=$!
	setsid bash "$s" >"$fifo" 2>&1 &
	spid=$!
	wait "$spid"
	rc=$?
	kill -9 -- "-$spid" 2>/dev/null
	wait "$tpid"
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	p=$(printf '%s' "$line" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
	f=$(printf '%s' "$line" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
	p=${p:-0} f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - scenario $s exited $rc"; fi
	pass=$((pass + p)) fail=$((fail + f))
	reset
	echo "# reset done (guest uptime $(cut -d" " -f1 /proc/uptime)s)"
done
rm -f "$out" "$fifo"
echo "$pass passed, $fail failed"
