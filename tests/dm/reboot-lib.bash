# Helpers for the suites that reboot, as far as device-mapper can tell (activate,
# revert). Loaded after lib and sets-lib.

# reboot: what a power cut and a boot do to the test's devices. Mounts and
# the processes of the test go, every dm device of ours and every loop
# device over the test's files is removed, RUN_DIR (a tmpfs) is emptied.
# Then each backing file in FILES (a name each) is attached again, a loop
# device taken first so that none gets its old number: LOOPOF[file] then
# names its new loop device.
declare -gA LOOPOF
reboot() {
	local f m
	if [ -e "$BATS_TEST_TMPDIR/bg.pids" ]; then
		while read -r m; do kill -9 "$m" 2>/dev/null || true; done <"$BATS_TEST_TMPDIR/bg.pids"
		while read -r m; do wait "$m" 2>/dev/null || true; done <"$BATS_TEST_TMPDIR/bg.pids"
		rm -f "$BATS_TEST_TMPDIR/bg.pids"
	fi
	_mounts_under "$BATS_TEST_TMPDIR"
	for m in "${MOUNTS[@]}"; do umount "$m"; done
	_remove_ours || fail "reboot: dm devices left: $(dmsetup ls)"
	_loops_of_test
	[ "${#LOOPS[@]}" = 0 ] || losetup -d "${LOOPS[@]}"
	rm -rf "$VSS_RUN_DIR"
	truncate -s 1M "$BATS_TEST_TMPDIR/first.img"
	losetup -f "$BATS_TEST_TMPDIR/first.img"
	for f in "$@"; do
		LOOPOF[$f]=$(losetup -f --show "$f")
	done
}

# backing_file LOOPDEV: the file a loop device reads.
backing_file() {
	cat "/sys/block/${1#/dev/}/loop/backing_file"
}

# foreign NAME LOOPDEV: a dm-linear device of another manager's (uuid TEST-).
foreign() {
	local sectors
	sectors=$(blockdev --getsz "$2")
	dmsetup create "$1" --uuid "TEST-$1" --table "0 $sectors linear $2 0"
	settle
}

# state_of SET VOLNAME: the shadow's state in list shadows --json.
state_of() {
	run --separate-stderr "$VSS" list shadows --json
	jq -r --arg s "$1" --arg v "${PFX}$2" \
		'.shadows[] | select(.set == $s and .volume == $v) | .state' <<<"$output"
}
