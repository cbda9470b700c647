#!/bin/bash
# SPDX-License-Identifier: MIT
# Inside the guest (chroot on the host's tree): run each scenario given, echo its ok/not ok lines,
# and end with one line "N passed, N failed" over all of them (what run.sh reads).
set -u
cd "$(dirname "$0")/../.." || exit 1
pass=0 fail=0
out=$(mktemp)
for s in "$@"; do
	echo "# scenario $s"
	bash "$s" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	p=$(printf '%s' "$line" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
	f=$(printf '%s' "$line" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
	p=${p:-0} f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - scenario $s exited $rc"; fi
	pass=$((pass + p)) fail=$((fail + f))
done
rm -f "$out"
echo "$pass passed, $fail failed"
