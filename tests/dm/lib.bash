# The device-mapper harness (in the manner of LVM2's): every device a test
# makes carries the run's prefix, teardown removes all of them whatever the
# test did, and tests/dm/run-suite refuses to start over leftovers.
load ../lib/common

: "${VSS_TEST_PREFIX:?run the dm suites through tests/dm/run-suite}"
PFX=$VSS_TEST_PREFIX
# bats keeps fds 3 and 4 open; LVM would warn about each on every command.
export LVM_SUPPRESS_FD_WARNINGS=1

setup() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	export VSS_LOCK_TIMEOUT=2
	mkdir -p "$VSS_STATE_DIR"
}

teardown() {
	local d l
	# A test that failed between suspend and resume must not leave a device
	# suspended: anything scanning devices (lvm, blkid) would hang on it.
	for d in $(dmsetup info -c --noheadings -o name,attr 2>/dev/null |
		awk -F: -v p="$PFX" 'index($1, p) == 1 && $2 ~ /^..s/ {print $1}'); do
		dmsetup resume "$d" || true
	done
	for d in $(mount | awk -v p="$BATS_TEST_TMPDIR" 'index($3, p) == 1 {print $3}' | sort -r); do
		umount "$d" || umount -l "$d"
	done
	# mkloop runs in $(...) subshells, so its loops are found by backing file.
	local loops
	loops=$(losetup -l -n -O NAME,BACK-FILE 2>/dev/null | awk -v p="$BATS_TEST_TMPDIR/" 'index($2, p) == 1 {print $1}')
	for l in $loops; do swapoff "$l" 2>/dev/null || true; done
	# Only after a test that used LVM: vgs scans every block device.
	if [ -e "$BATS_TEST_TMPDIR/used-lvm" ]; then
		vgremove -ff -y "${PFX}vg" >/dev/null 2>&1 || true
	fi
	# Shadows before their origins: remove in reverse creation order until none is left.
	for _ in 1 2 3; do
		for d in $(dmsetup ls 2>/dev/null | awk -v p="$PFX" 'index($1, p) == 1 {print $1}' | sort -r); do
			dmsetup remove --retry "$d" >/dev/null 2>&1 || true
		done
	done
	for l in $loops; do losetup -d "$l" 2>/dev/null || true; done
}

# mkloop MB: a loop device over a file of MB MiB; its path on stdout.
mkloop() {
	local img
	img=$(mktemp "$BATS_TEST_TMPDIR/$PFX-XXXXXX.img")
	truncate -s "${1}M" "$img"
	losetup -f --show "$img"
}

# lock_held_by PID: waits (up to 60 s) until the lock file names PID.
lock_held_by() {
	for _ in $(seq 600); do
		[ "$(cat "$VSS_RUN_DIR/lock" 2>/dev/null)" = "$1" ] && return 0
		sleep 0.1
	done
	fail "the lock was never taken by $1"
}

# Everything a command could have changed: dm devices and tables, the state
# directory's files, the loop devices. Compared before and after a refusal.
fingerprint() {
	dmsetup info -c --noheadings -o name,uuid,attr 2>/dev/null | sort
	dmsetup table 2>/dev/null | sort
	(cd "$VSS_STATE_DIR" 2>/dev/null && find . -type f -print0 | sort -z | xargs -0r md5sum)
	losetup -a | sort
	grep -E '^/dev/(mapper|loop|dm-)' /proc/mounts | sort || true
}

sum_of() {
	md5sum < "$1" | cut -d' ' -f1
}

# The dm name of a block device path.
dm_name_of() {
	dmsetup info -c --noheadings -o name "$1"
}

# After dmsetup made devices: waits for udev to make their nodes, or, with no
# udev running, has dmsetup make them (Debian's dmsetup leaves that to udev;
# vss's own devices get their nodes from libdm's fallback either way).
settle() {
	if pgrep -x systemd-udevd >/dev/null; then
		udevadm settle
	else
		dmsetup mknodes
	fi
}
