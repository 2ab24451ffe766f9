# The device-mapper harness (in the manner of LVM2's): every device a test
# makes carries the run's prefix, teardown removes all of them whatever the
# test did, and tests/dm/run-suite refuses to start over leftovers.
load ../lib/common

: "${VSS_TEST_PREFIX:?run the dm suites through tests/dm/run-suite}"
PFX=$VSS_TEST_PREFIX
# bats keeps fds 3 and 4 open; LVM would warn about each on every command.
export LVM_SUPPRESS_FD_WARNINGS=1
# Whether udev runs: run-suite looks once and exports it (a pgrep costs
# about 0.2 s in the guest, and settle and the teardown ask often).
if [ -z "${VSS_TEST_UDEV:-}" ]; then
	VSS_TEST_UDEV=no
	pgrep -x systemd-udevd >/dev/null && VSS_TEST_UDEV=yes
	export VSS_TEST_UDEV
fi

setup() {
	# $EUID rather than $(id -u): in the guest every process costs.
	[ "$EUID" = 0 ] || skip "needs root"
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	# Longer than any vss of a test holds the lock, in a loaded guest too:
	# no test waits it out (refusals.bats's lock tests set their own).
	export VSS_LOCK_TIMEOUT=60
	mkdir -p "$VSS_STATE_DIR"
}

# The teardown of every dm suite: whatever the test did or failed to undo -
# background helpers, suspended devices, sets, mounts, LVM, dm devices of
# ours (vss's own vss-* devices contain the prefix too: every volume a test
# makes is named ${PFX}<something>), swap and loop devices over files of the
# test - goes. It runs after each of the ~90 tests of a run in a guest
# where a process costs 50-200 ms (TCG), so it reads the kernel's state
# once (one dmsetup info, /proc and /sys read by the shell) and runs a
# program only for something that is there to undo.
teardown() {
	harness_teardown
}

# _dm_ours: DM_NAMES, DM_ATTRS, DM_OPEN of every dm device whose name
# contains the run's prefix, from one dmsetup call.
_dm_ours() {
	local n a o
	DM_NAMES=() DM_ATTRS=() DM_OPEN=()
	while IFS='|' read -r n a o; do
		[[ -n $n && $n == *"$PFX"* ]] || continue
		DM_NAMES+=("$n") DM_ATTRS+=("$a") DM_OPEN+=("${o//[[:space:]]/}")
	done < <(dmsetup info -c --noheadings --separator '|' -o name,attr,open 2>/dev/null)
	return 0
}

# _mounts_under DIR...: MOUNTS, the mountpoints under any DIR, the most
# recent mount first (the order they can be unmounted in).
_mounts_under() {
	local src mp rest d
	MOUNTS=()
	while read -r src mp rest; do
		# /proc/mounts writes a space as \040 (expose's tests use one).
		[[ $mp == *\\* ]] && printf -v mp '%b' "$mp"
		for d in "$@"; do
			if [ -n "$d" ] && [[ $mp == "$d"/* ]]; then
				MOUNTS=("$mp" "${MOUNTS[@]}")
				break
			fi
		done
	done </proc/mounts
	return 0
}

# _loops_of_test: LOOPS, the loop devices over files under $BATS_TEST_TMPDIR.
_loops_of_test() {
	local f b
	LOOPS=()
	for f in /sys/block/loop*/loop/backing_file; do
		[ -e "$f" ] || continue
		read -r b <"$f" || true
		[[ $b == "$BATS_TEST_TMPDIR"/* ]] || continue
		f=${f#/sys/block/}
		LOOPS+=("/dev/${f%%/*}")
	done
	return 0
}

# _remove_ours: removes the dm devices of ours that nothing holds open
# (shadows and COW slices before origins, stacks from the top), again until
# none is left. Returns 1 if some are left, held by what is still to go
# (a mount, a loop device, an open file).
_remove_ours() {
	local pass i
	local -a free
	# (A chain of shadows goes one level a pass: up to 64 shadows, each on
	# a base.)
	for pass in $(seq 140); do
		_dm_ours
		[ "${#DM_NAMES[@]}" = 0 ] && return 0
		free=()
		for i in "${!DM_NAMES[@]}"; do
			[ "${DM_OPEN[i]}" = 0 ] && free+=("${DM_NAMES[i]}")
		done
		if [ "${#free[@]}" = 0 ]; then
			# udev may hold a new device open for a moment, to probe it.
			if [ "$VSS_TEST_UDEV" = yes ] && [ "$pass" = 1 ]; then
				udevadm settle || true
				continue
			fi
			return 1
		fi
		# One dmsetup for all of them (it goes on past one that fails);
		# --retry rides out udev's short opens.
		dmsetup remove --retry "${free[@]}" >/dev/null 2>&1 || true
	done
	_dm_ours
	[ "${#DM_NAMES[@]}" = 0 ]
}

harness_teardown() {
	local p i m pass left=0
	local -a susp
	# Background helpers (writers, sleepers) first: they hold files open.
	if [ -e "$BATS_TEST_TMPDIR/bg.pids" ]; then
		touch "$BATS_TEST_TMPDIR/stop"
		while read -r p; do kill "$p" 2>/dev/null || true; done <"$BATS_TEST_TMPDIR/bg.pids"
		while read -r p; do wait "$p" 2>/dev/null || true; done <"$BATS_TEST_TMPDIR/bg.pids"
	fi
	# A test that failed between suspend and resume must not leave a device
	# suspended: anything scanning devices (lvm, blkid) would hang on it.
	_dm_ours
	susp=()
	for i in "${!DM_NAMES[@]}"; do
		[[ ${DM_ATTRS[i]} == ??s* ]] && susp+=("${DM_NAMES[i]}")
	done
	[ "${#susp[@]}" = 0 ] || dmsetup resume "${susp[@]}" || true
	# vss's own way out first: it knows its sets (exposed ones included) and
	# recovers what a killed vss left. With no set record, journal, origin
	# record or window marker it has nothing to do, and is not run.
	for p in "${VSS_STATE_DIR:-/nonexistent}"/{sets,journal,origins}/* "${VSS_RUN_DIR:-/nonexistent}/window"; do
		if [ -e "$p" ]; then
			timeout 120 "$VSS" delete-set --all --force >/dev/null 2>&1 || true
			break
		fi
	done
	# Whatever is left: mounts (expose's, by hand), then LVM, dm devices,
	# swap and loops; storage files may live on a volume's filesystem, which
	# only unmounts once their loops are detached: then all once more.
	for pass in 1 2; do
		_mounts_under "${VSS_RUN_DIR:-}" "$BATS_TEST_TMPDIR"
		for m in "${MOUNTS[@]}"; do
			if [ "$pass" = 1 ]; then
				umount "$m" 2>/dev/null || left=1
			else
				umount "$m" 2>/dev/null || umount -l "$m" || true
			fi
		done
		# Only after a test that used LVM: vgs scans every block device.
		if [ "$pass" = 1 ] && [ -e "$BATS_TEST_TMPDIR/used-lvm" ]; then
			vgremove -ff -y "${PFX}vg" >/dev/null 2>&1 || true
		fi
		_remove_ours || left=1
		_loops_of_test
		if [ "${#LOOPS[@]}" -gt 0 ]; then
			while read -r p _; do
				for i in "${LOOPS[@]}"; do
					[ "$p" = "$i" ] && { swapoff "$p" 2>/dev/null || true; }
				done
			done </proc/swaps
			losetup -d "${LOOPS[@]}" 2>/dev/null || left=1
		fi
		[ "$left" = 1 ] || break
		left=0
	done
	# The guest's /tmp is RAM and bats keeps every test's directory to the
	# end of the run: loop images and storage files a hundred tests wrote
	# would fill it. (--one-file-system: never into a mount left behind.)
	rm -rf --one-file-system "${BATS_TEST_TMPDIR:?}"/* 2>/dev/null || true
	return 0
}

# one_build BUILD WHY: tests/run runs the suites twice, against its plain
# build with udev and its ASan/UBSan build without (VSS_TEST_BUILD). A costly
# test whose second run would prove little more runs against BUILD only and
# skips against the other, saying WHY; a run by hand (no VSS_TEST_BUILD)
# runs it.
one_build() {
	[ -z "${VSS_TEST_BUILD:-}" ] || [ "$VSS_TEST_BUILD" = "$1" ] ||
		skip "runs against the $1 build only: $2"
}

# mkloop MB: a loop device over a file of MB MiB; its path on stdout.
# (It runs in $(...) subshells: $BASHPID, unique among live processes, and a
# check that the name is free stand in for mktemp, one process fewer.)
mkloop() {
	local img=$BATS_TEST_TMPDIR/$PFX-$BASHPID-$RANDOM.img
	while [ -e "$img" ]; do img=$BATS_TEST_TMPDIR/$PFX-$BASHPID-$RANDOM.img; done
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

# files_under DIR...: FILES, the regular files under each DIR, at any depth,
# in the order of their names (find -type f, in the shell).
files_under() {
	local d f g=0 dg=0
	FILES=()
	# (dotglob too: find lists hidden files)
	shopt -q globstar && g=1
	shopt -q dotglob && dg=1
	shopt -s globstar dotglob
	for d in "$@"; do
		for f in "$d"/**; do
			if [ -f "$f" ] && [ ! -L "$f" ]; then FILES+=("$f"); fi
		done
	done
	[ "$g" = 1 ] || shopt -u globstar
	[ "$dg" = 1 ] || shopt -u dotglob
	return 0
}

# Everything a command could have changed: dm devices and tables, the state
# directory's files, the loop devices, the mounts of block devices. Compared
# before and after a refusal. One sorted list, built in the shell as far as
# it goes (five programs rather than a dozen: it runs twice a refusal).
fingerprint() {
	state_fingerprint all
}

# state_fingerprint all|names-of-cow|kernel: what fingerprint says;
# names-of-cow counts the COW files of a directory storage area (*.cow) by
# name and size only (sets-lib's fp: their contents change whenever a
# mounted origin writes, which is the point of them); kernel leaves the
# state directory out (sets-lib's kernel_state).
state_fingerprint() {
	local out l f
	local -a sums=() cows=()
	out=$(dmsetup info -c --noheadings -o name,uuid,attr 2>/dev/null)
	while read -r l; do out+=$'\n'"table $l"; done < <(dmsetup table 2>/dev/null)
	FILES=()
	[ "$1" = kernel ] || files_under "$VSS_STATE_DIR"
	for f in "${FILES[@]}"; do
		if [ "$1" = names-of-cow ] && [[ $f == *.cow ]]; then
			cows+=("$f")
		else
			sums+=("$f")
		fi
	done
	[ "${#sums[@]}" = 0 ] || out+=$'\n'"$(md5sum "${sums[@]}")"
	[ "${#cows[@]}" = 0 ] || out+=$'\n'"$(stat -c 'cow %n %s' "${cows[@]}")"
	while read -r l; do out+=$'\n'"loop $l"; done < <(losetup -a)
	while read -r l; do
		[[ $l =~ ^/dev/(mapper|loop|dm-) ]] && out+=$'\n'"mount $l"
	done </proc/mounts
	sort <<<"$out"
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
	if [ "$VSS_TEST_UDEV" = yes ]; then
		udevadm settle
	else
		dmsetup mknodes
	fi
}
