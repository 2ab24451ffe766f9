#!/usr/bin/env bats
# vss revert: a volume rolled back to its shadow by dm snapshot-merge; the
# shadow leaves its set, other shadows of the volume keep their instants; a
# volume in use gets a scheduled revert; a merge cut short by kill -9 and a
# reboot goes on at activate.

load lib
load sets-lib
load reboot-lib

# wait_reverted VOLNAME: runs `vss recover` (as any vss command would) until
# it reports VOLNAME's revert finished; fails after 120 s.
wait_reverted() {
	local t0=$SECONDS
	while ((SECONDS - t0 < 120)); do
		vss recover
		[ "$status" = 0 ] || fail "recover exited $status: $stderr"
		[[ $output == *"${PFX}$1: reverted to set "* ]] && return 0
		sleep 1
	done
	fail "the revert of ${PFX}$1 never finished: $(dmsetup status "${PFX}$1")"
}

@test "revert of an unmounted volume: its data is the shadow's, the set goes, a later set of it keeps its own instant; refusals change nothing" {
	mkvol a 64
	mkfs_mount a
	fill_files "${MNT[a]}" 10
	want_tree=$(tree_sum "${MNT[a]}")
	table=$(dmsetup table "${PFX}a")
	new_set --cow-size 16M "${PFX}a"
	set1=$SET
	fill_files "${MNT[a]}" 12
	echo changed >"${MNT[a]}/note"
	new_set --cow-size 16M "${PFX}a"
	set2=$SET
	rm -rf "${MNT[a]}/d"
	umount "${MNT[a]}"
	want=$(dsum "$(shadow "$set1" a)")
	want2=$(dsum "$(shadow "$set2" a)")
	[ "$want" != "$(dsum "${VOLDEV[a]}")" ] || fail "the volume did not change after the set"

	# Refusals: each one line, nothing changed.
	before=$(fp)
	vss revert "$set1"
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "vss: revert: needs --yes: it overwrites the volumes, and there is no terminal to ask on"
	assert_equal "${stderr_lines[1]}" "Usage: vss revert [--yes] SET [VOLUME...]"
	vss revert --yes "$set1" "${PFX}zz"
	assert_equal "$status" 1
	assert_stderr "vss: revert: ${PFX}zz: not in set ${set1:0:8} (its volumes: ${PFX}a)"
	vss revert --yes nosuchset
	assert_equal "$status" 1
	assert_stderr "vss: revert: nosuchset: no such shadow copy set"
	run script -qec "$VSS revert $set1" /dev/null <<<n
	assert_equal "$status" 1
	assert_output --partial "not confirmed; nothing changed"
	mkdir -p "$BATS_TEST_TMPDIR/look"
	vss expose "$set1" "$BATS_TEST_TMPDIR/look"
	[ "$status" = 0 ] || fail "expose: $stderr"
	after_expose=$(fp)
	vss revert --yes "$set1"
	assert_equal "$status" 1
	assert_stderr "vss: revert: /dev/mapper/vss-${set1:0:8}-${PFX}a: exposed; unexpose it (or close it) first"
	assert_equal "$(fp)" "$after_expose"
	vss unexpose "$set1"
	assert_equal "$(fp)" "$before"

	vss revert --yes "$set1"
	[ "$status" = 0 ] || fail "revert exited $status: $stderr"
	assert_output "${PFX}a: reverted to set ${set1:0:8} (its last shadow: the set is gone)"
	assert_equal "$(dsum "${VOLDEV[a]}")" "$want"
	assert_equal "$(set_ids)" "$set2"
	# The later set: still its own instant, still tracked.
	assert_equal "$(dsum "$(shadow "$set2" a)")" "$want2"
	assert_equal "$(dmsetup table "${PFX}a" | awk '{print $3, $4}')" \
		"snapshot-origin $(majmin "vss-${PFX}a-real")"
	[ ! -e "/dev/mapper/vss-${set1:0:8}-${PFX}a-cow" ] || fail "set 1's COW is still there"
	mount "${VOLDEV[a]}" "${MNT[a]}"
	assert_equal "$(tree_sum "${MNT[a]}")" "$want_tree"
	echo after >"${MNT[a]}/later"
	umount "${MNT[a]}"
	assert_equal "$(dsum "$(shadow "$set2" a)")" "$want2"

	# Reverting to the last set gives the volume its own table back.
	vss revert --yes "${set2:0:8}" "${PFX}a"
	[ "$status" = 0 ] || fail "revert exited $status: $stderr"
	assert_equal "$(dsum "${VOLDEV[a]}")" "$want2"
	assert_equal "$(dmsetup table "${PFX}a")" "$table"
	assert_equal "$(vss_devices_of a)" ""
	assert_equal "$(set_ids)" ""
}

@test "revert of a mounted volume is scheduled: list sets says so, no new set of it meanwhile; it starts once unmounted and ends with the shadow's data" {
	mkvol a 64
	mkvol b 64
	mkfs_mount a
	fill_files "${MNT[a]}" 8
	new_set --cow-size 16M "${PFX}a" "${PFX}b"
	fill_files "${MNT[a]}" 8
	dd if=/dev/urandom of="${VOLDEV[b]}" bs=1M count=2 oflag=direct status=none
	sync -f "${MNT[a]}"
	want=$(dsum "$(shadow "$SET" a)")
	want_b=$(dsum "$(shadow "$SET" b)")

	vss revert --yes "$SET" "${PFX}a"
	[ "$status" = 0 ] || fail "revert exited $status: $stderr"
	assert_output "${PFX}a: mounted on ${MNT[a]}: its revert to set $SET8 is scheduled; it starts when ${PFX}a is no longer in use: at the next vss command that changes something, at vss monitor's next look, or at activate"
	run --separate-stderr "$VSS" list sets --json
	assert_equal "$(jq -r '.sets[0].state' <<<"$output")" revert-scheduled
	run --separate-stderr "$VSS" list shadows --json
	assert_equal "$(jq -r --arg v "${PFX}a" '.shadows[] | select(.volume == $v) | .state' <<<"$output")" revert-scheduled
	assert_equal "$(jq -r --arg v "${PFX}b" '.shadows[] | select(.volume == $v) | .state' <<<"$output")" valid
	before=$(fp)
	vss create-set "${PFX}a"
	assert_equal "$status" 1
	assert_stderr "vss: create-set: ${PFX}a: its revert to set $SET8 is scheduled; no new set of it until that is over"
	vss revert --yes "$SET" "${PFX}a"
	assert_equal "$status" 1
	assert_stderr "vss: revert: $SET8/${PFX}a: its revert is already scheduled"
	assert_equal "$(fp)" "$before"

	umount "${MNT[a]}"
	wait_reverted a
	assert_equal "$(dsum "${VOLDEV[a]}")" "$want"
	# b was not named: its shadow stays in the set, as it was.
	assert_equal "$(set_ids)" "$SET"
	assert_equal "$(dsum "$(shadow "$SET" b)")" "$want_b"
	vss show "$SET" --json
	assert_equal "$(jq -r '[.shadows[].volume] | join(" ")' <<<"$output")" "${PFX}b"
	assert_equal "$(vss_devices_of a)" ""
}

@test "a scheduled revert whose volume is free: a listing leaves it scheduled; the next command that changes something starts it" {
	mkvol a 64
	mkvol b 16
	mkfs_mount a
	fill_files "${MNT[a]}" 8
	new_set --cow-size 16M "${PFX}a"
	fill_files "${MNT[a]}" 8
	echo changed >"${MNT[a]}/note"
	sync -f "${MNT[a]}"
	want=$(dsum "$(shadow "$SET" a)")
	vss revert --yes "$SET"
	[ "$status" = 0 ] || fail "revert exited $status: $stderr"
	assert_output "${PFX}a: mounted on ${MNT[a]}: its revert to set $SET8 is scheduled; it starts when ${PFX}a is no longer in use: at the next vss command that changes something, at vss monitor's next look, or at activate"
	umount "${MNT[a]}"

	# Listings change nothing, a scheduled revert included.
	before=$(fp)
	for _ in 1 2; do
		run --separate-stderr "$VSS" list sets --json
		assert_success
		assert_equal "$(jq -r '.sets[0].state' <<<"$output")" revert-scheduled
		run --separate-stderr "$VSS" list shadows --json
		assert_success
		assert_equal "$(jq -r '.shadows[0].state' <<<"$output")" revert-scheduled
		vss show "$SET"
		assert_success
	done
	assert_equal "$(fp)" "$before"
	[[ $(dmsetup table "${PFX}a") == *snapshot-origin* ]] || fail "the merge began: $(dmsetup table "${PFX}a")"

	# create-set of another volume changes something: it starts the merge
	# first, and says so.
	reverted=$SET
	new_set --cow-size 4M "${PFX}b"
	assert_line "${PFX}a: its revert to set ${reverted:0:8} started"
	[[ $(dmsetup table "${PFX}a") == *snapshot-merge* ]] || fail "the merge did not begin: $(dmsetup table "${PFX}a")"
	run --separate-stderr "$VSS" list shadows --json
	assert_equal "$(jq -r --arg s "$reverted" '.shadows[] | select(.set == $s) | .state' <<<"$output")" merging
	wait_reverted a
	assert_equal "$(dsum "${VOLDEV[a]}")" "$want"
	assert_equal "$(set_ids)" "$SET"
}

# hold_open DEV FLAG: DEV held open (not mounted) by a background process
# until the file FLAG exists (or the test ends: teardown's stop file and
# bg.pids); returns once the kernel counts the open.
hold_open() {
	local t0=$SECONDS
	(
		exec 8<"$1"
		while [ ! -e "$2" ] && [ ! -e "$BATS_TEST_TMPDIR/stop" ]; do sleep 0.1; done
	) 3>&- &
	HOLDER=$!
	echo "$HOLDER" >>"$BATS_TEST_TMPDIR/bg.pids"
	while [ "$(dmsetup info -c --noheadings -o open "${1##*/}" | tr -d ' ')" != 1 ]; do
		((SECONDS - t0 < 60)) || fail "$1 was never held open"
		sleep 0.1
	done
}

@test "revert of a volume something has open for a moment (udev's or a listing's probe) is done at once; one held open past the grace is scheduled, and starts once closed" {
	mkvol a 32
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=8 oflag=direct status=none
	new_set --cow-size 8M "${PFX}a"
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=4 seek=2 oflag=direct status=none
	settle
	want=$(dsum "$(shadow "$SET" a)")

	# Closed a second into the revert: within its grace.
	hold_open "${VOLDEV[a]}" "$BATS_TEST_TMPDIR/release1"
	(sleep 1; touch "$BATS_TEST_TMPDIR/release1") 3>&- &
	vss revert --yes "$SET"
	wait "$HOLDER"
	[ "$status" = 0 ] || fail "revert exited $status: $stderr"
	assert_output "${PFX}a: reverted to set $SET8 (its last shadow: the set is gone)"
	assert_equal "$(dsum "${VOLDEV[a]}")" "$want"
	assert_equal "$(set_ids)" ""

	# Held for good: scheduled, saying why; it starts once closed.
	new_set --cow-size 8M "${PFX}a"
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=2 oflag=direct status=none
	settle
	want=$(dsum "$(shadow "$SET" a)")
	hold_open "${VOLDEV[a]}" "$BATS_TEST_TMPDIR/release2"
	vss revert --yes "$SET"
	[ "$status" = 0 ] || fail "revert exited $status: $stderr"
	assert_output "${PFX}a: open 1 time: its revert to set $SET8 is scheduled; it starts when ${PFX}a is no longer in use: at the next vss command that changes something, at vss monitor's next look, or at activate"
	touch "$BATS_TEST_TMPDIR/release2"
	wait "$HOLDER"
	wait_reverted a
	assert_equal "$(dsum "${VOLDEV[a]}")" "$want"
	assert_equal "$(set_ids)" ""
}

@test "a merge cut short by kill -9 and a reboot goes on at activate and ends with the shadow's data" {
	# A minute and more in the guest: once a run, against the ASan/UBSan
	# build, without udev (the reverts above run in both).
	one_build asan "a slowed merge, cut and resumed (the reverts above run in both)"
	# The volume lies on a dm-delay device (writes 40 ms late), so that the
	# merge of a few hundred scattered chunks takes long enough to be cut.
	ldev=$(mkloop 64)
	lfile=$(backing_file "$ldev")
	slow() {
		dmsetup create "${PFX}slow" --table "0 131072 delay $1 0 0 $1 0 40"
		settle
		foreign "${PFX}v" "/dev/mapper/${PFX}slow"
	}
	slow "$ldev"
	dd if=/dev/urandom of="/dev/mapper/${PFX}v" bs=1M count=64 oflag=direct status=none
	new_set --cow-size 16M "${PFX}v"
	for i in $(seq 0 299); do
		dd if=/dev/urandom of="/dev/mapper/${PFX}v" bs=4k count=1 seek=$((i * 32)) oflag=direct status=none
	done
	want=$(dsum "$(shadow "$SET" v)")

	bg "$VSS" revert --yes "$SET"
	# (A minute and more for a loaded guest's revert to begin; once begun,
	# the merge's pace is the delay device's, not the CPUs'.)
	for _ in $(seq 300); do
		[[ $(dmsetup table "${PFX}v" 2>/dev/null) == *snapshot-merge* ]] && break
		sleep 0.2
	done
	[[ $(dmsetup table "${PFX}v") == *snapshot-merge* ]] || fail "the merge never started"
	sleep 1
	read -r alloc meta < <(dmsetup status "${PFX}v" | awk '{split($4, a, "/"); print a[1], $5}')
	[ "$alloc" -gt "$meta" ] || fail "the merge ended before it could be cut: $alloc $meta"
	run --separate-stderr "$VSS" list shadows --json
	assert_equal "$(jq -r '.shadows[0].state' <<<"$output")" merging

	reboot "$lfile"
	slow "${LOOPOF[$lfile]}"
	vss activate
	[ "$status" = 0 ] || fail "activate exited $status: $stderr"
	assert_output "${PFX}v: active with 1 shadow
${PFX}v: its revert to set $SET8 goes on (merging)"
	[[ $(dmsetup table "${PFX}v") == *snapshot-merge* ]] || fail "activate did not resume the merge"
	wait_reverted v
	assert_equal "$(dsum "/dev/mapper/${PFX}v")" "$want"
	assert_equal "$(set_ids)" ""
	assert_equal "$(dmsetup table "${PFX}v")" "0 131072 linear $(majmin "${PFX}slow") 0"
}
