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
	LOOPS=()
}

teardown() {
	local d l
	for d in $(mount | awk -v p="$BATS_TEST_TMPDIR" 'index($3, p) == 1 {print $3}' | sort -r); do
		umount "$d" || umount -l "$d"
	done
	for l in "${LOOPS[@]}"; do swapoff "$l" 2>/dev/null || true; done
	vgs --noheadings -o vg_name 2>/dev/null | awk -v p="$PFX" 'index($1, p) == 1' |
		while read -r d; do vgremove -ff -y "$d" >/dev/null 2>&1; done
	# Shadows before their origins: remove in reverse creation order until none is left.
	for _ in 1 2 3; do
		for d in $(dmsetup ls 2>/dev/null | awk -v p="$PFX" 'index($1, p) == 1 {print $1}' | sort -r); do
			dmsetup remove --retry "$d" >/dev/null 2>&1 || true
		done
	done
	for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done
}

# mkloop MB: a loop device over a file of MB MiB; its path on stdout.
mkloop() {
	local img=$BATS_TEST_TMPDIR/$PFX-${#LOOPS[@]}.img dev
	truncate -s "${1}M" "$img"
	dev=$(losetup -f --show "$img")
	LOOPS+=("$dev")
	echo "$dev"
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

# Waits for udev to finish with the devices we just touched (no-op without udev).
settle() {
	if [ "${VSS_VM_UDEV:-0}" = 1 ] || pgrep -x systemd-udevd >/dev/null; then
		udevadm settle
	fi
}
