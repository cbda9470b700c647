#!/bin/bash
# qemu-x4 black-box: a fake "real QEMU" records the argv it was exec'd with (NUL-separated), so
# each check compares bytes: probes untouched, the Looking Glass pair and the romfile added in
# libvirt's syntax, the hook's plan or config alone, and every refusal as one line with no exec.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/hooklib.sh
. "$T_TOP/tests/hooklib.sh"
FIX=$T_TOP/tests/fixtures/wrapper
ARGV=$T_TOP/tests/fixtures/argv
CAPTURE=$T_TOP/../shared/reference/libvirt-9.0-capture/emulator-argv.log

T=$(mktemp -d /tmp/x4wrap.XXXXXX)
chmod 0755 "$T"
# qemu-x4 also runs as nobody below: from a copy that user can reach (a clone in a 0700 home
# directory is not), as libvirt runs the installed one.
mkdir "$T/bin" && install -m 0755 "$T_BIN/qemu-x4" "$T/bin/qemu-x4"
W=$T/bin/qemu-x4
cleanup() { sim_stop; rm -rf "$T"; }
trap cleanup EXIT

# The fake QEMU: argv (with $0) NUL-separated to $FAKE_OUT, its pid, and whether fd 7 was inherited.
FAKE=$T/fake-qemu
cat >"$FAKE" <<'EOF'
#!/bin/bash
printf '%s\0' "$0" "$@" >"$FAKE_OUT"
echo $$ >"$FAKE_OUT.pid"
if [ -r /dev/fd/7 ]; then cat <&7 >"$FAKE_OUT.fd7"; fi
exit 0
EOF
chmod 0755 "$FAKE"
export FAKE_OUT=$T/out/argv
mkdir -m 0777 "$T/out"

# A host root without the sim for config-only runs; the config is $X4_CONFIG.
export X4_ROOT=$T/root X4_CONFIG=$T/x4.conf
mkdir -p "$X4_ROOT/etc" "$X4_ROOT/run"
cfg() { printf '%s\n' "$@" >"$X4_CONFIG"; chmod 0644 "$X4_CONFIG"; }

# run ARGS...: qemu-x4 ARGS; sets RC, ERR (stderr), NLINES (stderr lines); $FAKE_OUT iff exec'd.
run() {
	rm -f "$FAKE_OUT" "$FAKE_OUT".*
	"$W" "$@" >"$T/stdout" 2>"$T/stderr"
	RC=$?
	ERR=$(cat "$T/stderr")
	NLINES=$(wc -l <"$T/stderr")
}
# got: what the fake QEMU received after argv[0], one NUL-terminated element each.
got() { tail -z -n +2 "$FAKE_OUT" 2>/dev/null; }
# nul ARGS...: the same encoding for an expected argv.
nul() { printf '%s\0' "$@"; }
# same DESC EXPECTED-FILE: the fake got exactly these bytes.
same() {
	if [ -e "$FAKE_OUT" ] && cmp -s "$2" <(got); then ok "$1"
	else not_ok "$1 (rc $RC, stderr: $ERR; diff: $(diff <(tr '\0' '\n' <"$2") <(got | tr '\0' '\n') | head -8 | tr '\n' '|'))"; fi
}
# refused DESC REGEX: non-zero, exactly one "x4-sriov: " line matching REGEX, QEMU never ran.
refused() {
	if [ "$RC" != 0 ] && [ "$NLINES" = 1 ] && [ ! -e "$FAKE_OUT" ] &&
		printf '%s' "$ERR" | grep -Eq -- "^x4-sriov: .*$2"; then ok "$1"
	else not_ok "$1 (rc $RC, $NLINES stderr lines, exec'd: $([ -e "$FAKE_OUT" ] && echo yes || echo no): $ERR)"; fi
}
# args FILE: load an argv fixture (first line is argv[0], dropped) into the array A.
args() { mapfile -t A < <(tail -n +2 "$1"); }

# A minimal PE32+ EFI boot-service driver (x64), as OVMF would load it: MZ, PE\0\0, optional
# header magic 0x20b with subsystem 11.
poke() { printf '%b' "$2" | dd of="$1" bs=1 seek=$(($3)) conv=notrunc status=none; }
make_pe() {
	head -c 1024 /dev/zero >"$1"
	poke "$1" 'MZ' 0; poke "$1" '\x40' 0x3c; poke "$1" 'PE\0\0' 0x40
	poke "$1" '\x64\x86' 0x44; poke "$1" '\xf0\x00' 0x54; poke "$1" '\x22\x20' 0x56
	poke "$1" '\x0b\x02' 0x58; poke "$1" '\x0b\x00' 0x9c
	chmod 0644 "$1"
}
ROM=$T/gop.efi ROM2=$T/gop2.efi
make_pe "$ROM"; make_pe "$ROM2"

# --- probes: byte for byte, whatever the config says about VMs
cfg '[host]' "qemu = $FAKE" 'looking_glass = shm' "rom = $ROM"
if [ -r "$CAPTURE" ]; then
	mapfile -t P < <(awk '/^=== [0-9]/ { n++; next } /^=== end/ { if (n == 1) exit; next } n == 1' "$CAPTURE")
else
	args "$ARGV/probe-kvm.argv"; P=("${A[@]}")
fi
check_eq "the captured probe has libvirt's 11 arguments" 11 "${#P[@]}"
run "${P[@]}"; nul "${P[@]}" >"$T/exp"; same "libvirt's captured capability probe passes through byte for byte" "$T/exp"
check_eq "the probe ran the configured QEMU as argv[0]" "$FAKE" "$(head -z -n 1 "$FAKE_OUT" 2>/dev/null | tr -d '\0')"
for p in "-version" "-help" "-machine help" "-device help" "-device vfio-pci,help" "-cpu ?"; do
	read -ra pa <<<"$p"
	run "${pa[@]}"; nul "${pa[@]}" >"$T/exp"; same "probe '$p' passes through" "$T/exp"
done
run -S -chardev $'odd\nline' '' ' spaced ' '-name'
check_eq "a trailing -name without value is an error, not a probe" "1" "$([ "$RC" != 0 ] && [ ! -e "$FAKE_OUT" ] && echo 1)"
run -S -chardev $'odd\nline' '' ' spaced '; nul -S -chardev $'odd\nline' '' ' spaced ' >"$T/exp"
same "probe arguments with a newline, an empty string and blanks stay intact" "$T/exp"
run --help
check_match "qemu-x4 --help is its own usage" "usage: qemu-x4" "$(cat "$T/stdout")"

# --- exec in place: same pid, inherited fds (libvirt passes the monitor as fd=N)
echo monitor-fd >"$T/fd7"
"$W" -version 7<"$T/fd7" >/dev/null 2>&1 &
pid=$!; wait "$pid"
check_eq "QEMU replaces qemu-x4 (same pid, like -daemonize/-pidfile expect)" "$pid" "$(cat "$FAKE_OUT.pid" 2>/dev/null)"
check_eq "an inherited fd reaches QEMU" "monitor-fd" "$(cat "$FAKE_OUT.fd7" 2>/dev/null)"

# --- the captured 58-argument start: only the ivshmem pair is added (JSON, on the bridge pci.3)
args "$ARGV/start-feas.argv"
check_eq "the captured start has 58 arguments" 58 "${#A[@]}"
FEAS=("${A[@]}")
LGOBJ='{"qom-type":"memory-backend-file","id":"x4-lgmem","mem-path":"/dev/shm/looking-glass-feas","size":33554432,"share":true}'
LGDEV='{"driver":"ivshmem-plain","id":"x4-lg","memdev":"x4-lgmem","bus":"pci.3","addr":"0x2"}'
cfg '[host]' "qemu = $FAKE" '[vm feas]' 'looking_glass = shm'
run "${FEAS[@]}"
nul "${FEAS[@]:0:56}" -object "$LGOBJ" -device "$LGDEV" "${FEAS[@]:56}" >"$T/exp"
same "captured start: the JSON ivshmem pair after libvirt's last -device, nothing else changed" "$T/exp"
check_match "captured start: stderr says that without a plan it runs in config-only mode" "^x4-sriov: VM 'feas' has no plan from x4-hook: config-only mode" "$ERR"
cfg '[host]' "qemu = $FAKE" '[vm feas]' 'looking_glass = shm' 'lg_resolution = 2560x1440'
run "${FEAS[@]}"
nul "${FEAS[@]:0:56}" -object "${LGOBJ/33554432/67108864}" -device "$LGDEV" "${FEAS[@]:56}" >"$T/exp"
same "lg_resolution 2560x1440 gives 64 MiB" "$T/exp"
cfg '[host]' "qemu = $FAKE" 'looking_glass = shm' '[vm feas]' 'looking_glass = off'
run "${FEAS[@]}"; nul "${FEAS[@]}" >"$T/exp"
same "looking_glass = off for the VM: the start is untouched" "$T/exp"
cfg '[host]' "qemu = $FAKE" '[vm other]' 'looking_glass = shm'
run "${FEAS[@]}"; same "a VM without settings is untouched" "$T/exp"
# libvirt's own <shmem> on our path: nothing added
mapfile -t S < <(printf '%s\n' "${FEAS[@]}" | sed 's|"/dev/shm/looking-glass"|"/dev/shm/looking-glass-feas"|')
cfg '[host]' "qemu = $FAKE" '[vm feas]' 'looking_glass = shm'
run "${S[@]}"; nul "${S[@]}" >"$T/exp"
same "an existing <shmem> on /dev/shm/looking-glass-feas: nothing added" "$T/exp"

# --- kvmfr: the device must be the module's, of the planned size
cfg '[host]' "qemu = $FAKE" '[vm feas]' 'looking_glass = /dev/kvmfr0' 'lg_size = 32M'
mkdir -p "$X4_ROOT/dev" "$X4_ROOT/sys/module/kvmfr/parameters"
echo 32 >"$X4_ROOT/sys/module/kvmfr/parameters/static_size_mb"
: >"$X4_ROOT/dev/kvmfr0"
run "${FEAS[@]}"; refused "kvmfr path that is a plain file: one clear line, no exec" "plain file"
rm -f "$X4_ROOT/dev/kvmfr0"
run "${FEAS[@]}"; refused "no /dev/kvmfr0: one line saying to load kvmfr" "modprobe kvmfr"
mknod -m 0660 "$X4_ROOT/dev/kvmfr0" c 1 3   # closed to others, as udev makes it
run "${FEAS[@]}"
nul "${FEAS[@]:0:56}" -object "${LGOBJ/\/dev\/shm\/looking-glass-feas/\/dev\/kvmfr0}" -device "$LGDEV" "${FEAS[@]:56}" >"$T/exp"
same "kvmfr0 of the right size: the pair on /dev/kvmfr0" "$T/exp"
cfg '[host]' "qemu = $FAKE" '[vm feas]' 'looking_glass = /dev/kvmfr0' 'lg_size = 64M'
run "${FEAS[@]}"; refused "lg_size 64M against kvmfr's 32 MiB: one line, no exec" "kvmfr|size"

# --- key=value -device (libvirt < 8.1): key=value additions, ",," escaping, VM name with a comma
args "$ARGV/keyvalue-win11.argv"; KV=("${A[@]}")
cfg '[host]' "qemu = $FAKE" "rom = $ROM" '[vm win11,x4]' 'looking_glass = shm' 'vf = 0000:00:02.1'
run "${KV[@]}"
mapfile -t E < <(printf '%s\n' "${KV[@]}" | sed "s|^vfio-pci,host=0000:00:02.1,id=hostdev0,bus=pci.1,addr=0x0\$|&,romfile=$ROM|")
nul "${E[@]:0:59}" -object 'memory-backend-file,id=x4-lgmem,mem-path=/dev/shm/looking-glass-win11%2Cx4,size=33554432,share=on' \
	-device 'ivshmem-plain,id=x4-lg,memdev=x4-lgmem,bus=pci.5,addr=0x2' "${E[@]:59}" >"$T/exp"
same "key=value argv: ,romfile= on the VF and a key=value pair with bus/addr on pci.5" "$T/exp"
cfg '[host]' "qemu = $FAKE" '[vm win11]' 'looking_glass = shm'
run "${KV[@]}"; nul "${KV[@]}" >"$T/exp"
same "guest=win11,,x4 is VM 'win11,x4', not 'win11'" "$T/exp"
cfg '[host]' "qemu = $FAKE" '[vm old]' 'looking_glass = shm'
run -name old -device 'pcie-pci-bridge,id=pci.3,bus=pcie.0,addr=0x3'
nul -name old -device 'pcie-pci-bridge,id=pci.3,bus=pcie.0,addr=0x3' -object 'memory-backend-file,id=x4-lgmem,mem-path=/dev/shm/looking-glass-old,size=33554432,share=on' \
	-device 'ivshmem-plain,id=x4-lg,memdev=x4-lgmem,bus=pci.3,addr=0x1' >"$T/exp"
same "the old '-name NAME' form" "$T/exp"
run -name old -machine q35
refused "Looking Glass with no bridge or spare root port: one line, no exec" "no free PCI slot"
run -name 'guest=,debug-threads=on' -machine q35
refused "an empty guest name: one line, no exec" ""

# --- ROM from config alone: the VF's vfio-pci device only
args "$FIX/vf-json.argv"; VF=("${A[@]}")
VFDEV='{"driver":"vfio-pci","host":"0000:00:02.1","id":"hostdev0","bus":"pci.3","addr":"0x0"}'
rom_expect() { # ROMPATH: VF with romfile inserted before the closing brace, the rest unchanged
	mapfile -t E < <(printf '%s\n' "${VF[@]}" | sed "s|^${VFDEV%\}}}\$|${VFDEV%\}},\"romfile\":\"$1\"}|")
	nul "${E[@]}" >"$T/exp"
}
cfg '[host]' "qemu = $FAKE" "rom = $ROM" '[vm vfvm]' 'vf = 0000:00:02.1'
run "${VF[@]}"; rom_expect "$ROM"
same "[vm] vf = 0000:00:02.1: romfile on its vfio-pci device, the other one left alone" "$T/exp"
cfg '[host]' "qemu = $FAKE" "rom = $ROM"
run "${VF[@]}"; same "no vf anywhere: the vfio-pci device at the PF's VF slot gets the romfile" "$T/exp"
cfg '[host]' "qemu = $FAKE" 'pf = 0000:02:00.0' "rom = $ROM"
run "${VF[@]}"; nul "${VF[@]}" >"$T/exp"
same "no vf, PF elsewhere (02:00.0): 00:02.1 is not its VF, nothing added" "$T/exp"
cfg '[host]' "qemu = $FAKE" "rom = $ROM" '[vm vfvm]' 'vf = 0000:00:02.3'
run "${VF[@]}"
same "vf = 00:02.3 not in argv: nothing added, QEMU still runs" "$T/exp"
check_match "... with a warning that no device got the romfile" "no vfio-pci device" "$ERR"
mapfile -t U < <(printf '%s\n' "${VF[@]}" | sed "s|^${VFDEV%\}}}\$|${VFDEV%\}},\"romfile\":\"/usr/share/user.rom\"}|")
cfg '[host]' "qemu = $FAKE" "rom = $ROM" '[vm vfvm]' 'vf = 0000:00:02.1'
run "${U[@]}"; nul "${U[@]}" >"$T/exp"
same "the user's <rom file> wins" "$T/exp"

# --- bad ROM files: one line, no exec
printf 'this is not a ROM at all, just text\n%.0s' $(seq 40) >"$T/junk.rom"
head -c 96 "$ROM" >"$T/short.rom"
cp "$ROM" "$T/secret.rom"; chmod 0600 "$T/secret.rom"
for r in junk short missing; do
	cfg '[host]' "qemu = $FAKE" "rom = $T/$r.rom" '[vm vfvm]' 'vf = 0000:00:02.1'
	run "${VF[@]}"; refused "ROM $r: one line naming it, no exec" "$r\\.rom"
done
cfg '[host]' "qemu = $FAKE" "rom = $T/secret.rom" '[vm vfvm]' 'vf = 0000:00:02.1'
rm -f "$FAKE_OUT"
setpriv --reuid=nobody --regid=nogroup --clear-groups env X4_ROOT="$X4_ROOT" X4_CONFIG="$X4_CONFIG" \
	FAKE_OUT="$FAKE_OUT" "$W" "${VF[@]}" >/dev/null 2>"$T/stderr"
RC=$? ERR=$(cat "$T/stderr") NLINES=$(wc -l <"$T/stderr")
refused "a ROM the qemu user cannot read: one line, no exec" "secret\\.rom.*not readable"
chmod 0644 "$T/secret.rom"
rm -f "$FAKE_OUT"
setpriv --reuid=nobody --regid=nogroup --clear-groups env X4_ROOT="$X4_ROOT" X4_CONFIG="$X4_CONFIG" \
	FAKE_OUT="$FAKE_OUT" "$W" "${VF[@]}" >/dev/null 2>"$T/stderr"
RC=$?; rom_expect "$T/secret.rom"
same "... and once readable, an unprivileged qemu-x4 adds it" "$T/exp"

# --- broken config: a start refuses with file:line, a probe still works
cfg '[host]' "qemu = $FAKE" 'lg_size = 3M' '[vm feas]' 'looking_glass = shm'
run "${FEAS[@]}"; refused "broken config on a start: one line naming file:line, no exec" "$X4_CONFIG:3: .*lg_size"
run -version
check_eq "broken config: a probe still runs a QEMU (the default emulator)" "0" "$RC"
check_match "... and prints its version" "QEMU emulator version" "$(cat "$T/stdout")"
cfg '[host]' "qemu = $FAKE" 'looking_glass = shm' '[vm feas]' 'lg_size = 3M'
run "${FEAS[@]}"; refused "broken [vm] section: one line naming file:line" "$X4_CONFIG:5: .*lg_size"

# --- qemu = qemu-x4 itself (directly or through a symlink): one clear error, no loop
for q in "$W" "$T/qemu-link"; do
	ln -sf "$W" "$T/qemu-link"
	cfg '[host]' "qemu = $q" '[vm feas]' 'looking_glass = shm'
	RC=0; timeout 10 "$W" "${FEAS[@]}" >/dev/null 2>"$T/stderr" || RC=$?
	ERR=$(cat "$T/stderr") NLINES=$(wc -l <"$T/stderr")
	refused "qemu = ${q##*/} on a start: one error, no loop" "is qemu-x4 itself"
	RC=0; timeout 10 "$W" -version >/dev/null 2>"$T/stderr" || RC=$?
	ERR=$(cat "$T/stderr") NLINES=$(wc -l <"$T/stderr")
	refused "qemu = ${q##*/} on a probe: one error, no loop" "is qemu-x4 itself"
done
cfg '[host]' "qemu = $T/none/qemu" '[vm feas]' 'looking_glass = shm'
run "${FEAS[@]}"; refused "a missing real QEMU: one line" "cannot run $T/none/qemu"

# --- malformed JSON from the caller: refused, never a half-rewritten argv
cfg '[host]' "qemu = $FAKE" '[vm feas]' 'looking_glass = shm'
run -name guest=feas -device '{"driver":"pcie-pci-bridge","id":"pci.3",' -machine q35
refused "an unparsable JSON -device: one line, no exec" ""

# --- huge argv: 10000 arguments
H=("${FEAS[@]}")
for i in $(seq 4971); do H+=(-global "ICH9-LPC.x$i=on"); done
check_eq "the huge argv has 10000 arguments" 10000 "${#H[@]}"
run "${H[@]}"
nul "${H[@]:0:56}" -object "$LGOBJ" -device "$LGDEV" "${H[@]:56}" >"$T/exp"
same "a 10000-argument start gets the pair and keeps the rest" "$T/exp"
run "${H[@]:2}"; nul "${H[@]:2}" >"$T/exp"
same "a 9998-argument probe passes through byte for byte" "$T/exp"

# --- the plan written by the real x4-hook on the simulated X4
unset X4_CONFIG
# shellcheck disable=SC2119 # no x4sim options
if sim_start; then
	conf '[host]' "qemu = $FAKE" "rom = $ROM" '[vm vfvm]' 'looking_glass = shm' 'lg_size = 64M'
	# The hook checks the ROM under $X4_ROOT (as the qemu user would see it); QEMU gets the real path.
	mkdir -p "$ROOT${ROM%/*}" && cp "$ROM" "$ROOT$ROM"
	hook vfvm prepare begin "$(dom vfvm "$(hostdev 0000:00:02.1 no)")"
	check_eq "x4-hook prepare for vfvm succeeds" "0" "$RC"
	check "the hook wrote vfvm's plan" test -s "$ROOT/run/x4-sriov/vm/vfvm.json"
	# The config changes after prepare: the wrapper must follow the plan, not the file.
	conf '[host]' "qemu = $FAKE" "rom = $ROM2" '[vm vfvm]' 'looking_glass = shm' 'lg_size = 32M'
	run "${VF[@]}"
	rom_expect "$ROM"
	mapfile -t E < <(tr '\0' '\n' <"$T/exp")
	nul "${E[@]:0:56}" -object '{"qom-type":"memory-backend-file","id":"x4-lgmem","mem-path":"/dev/shm/looking-glass-vfvm","size":67108864,"share":true}' \
		-device '{"driver":"ivshmem-plain","id":"x4-lg","memdev":"x4-lgmem","bus":"pci.4","addr":"0x1"}' "${E[@]:56}" >"$T/exp"
	same "with the hook's plan: its ROM on the VF and its 64 MiB pair on the bridge pci.4" "$T/exp"
	hook vfvm release end "$(dom vfvm "$(hostdev 0000:00:02.1 no)")"
	check "release removed the plan" test ! -e "$ROOT/run/x4-sriov/vm/vfvm.json"
	run "${VF[@]}"; rom_expect "$ROM2"
	mapfile -t E < <(tr '\0' '\n' <"$T/exp")
	nul "${E[@]:0:56}" -object '{"qom-type":"memory-backend-file","id":"x4-lgmem","mem-path":"/dev/shm/looking-glass-vfvm","size":33554432,"share":true}' \
		-device '{"driver":"ivshmem-plain","id":"x4-lg","memdev":"x4-lgmem","bus":"pci.4","addr":"0x1"}' "${E[@]:56}" >"$T/exp"
	same "without a plan: the config (and argv) decide" "$T/exp"
else
	not_ok "x4sim starts (needs root and /dev/fuse)"
fi
t_done
