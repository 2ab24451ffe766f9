#!/usr/bin/env bats
# A COW area too small for the writes that follow: the shadow is lost
# (invalid), loudly, and nothing else is: not the origin's data, not the
# other shadows of the same origin, not other sets.

load lib
load sets-lib

# warns_about SET VOLUME: $stderr is one warning line naming SET (its set8)
# and VOLUME, and nothing about the sets that are fine.
warns_about() {
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "vss: "* ]] || fail "not a vss message: $stderr"
	[[ $stderr == *"${1:0:8}"* && $stderr == *"$2"* ]] || fail "the warning does not name the set and volume: $stderr"
	[[ $stderr != *"${big:0:8}"* && $stderr != *"${other:0:8}"* ]] || fail "the warning names sets that are fine: $stderr"
}

@test "a COW overflowed by origin writes: invalid in show and list sets, with a warning; origin and other shadows intact" {
	mkvol a 64
	mkvol b 32
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=64 oflag=direct status=none
	dd if=/dev/urandom of="${VOLDEV[b]}" bs=1M count=32 oflag=direct status=none
	sum_a0=$(dsum "${VOLDEV[a]}") sum_b0=$(dsum "${VOLDEV[b]}")
	# An earlier set of the same origin, with room for every change.
	new_set --label "${PFX}big" --cow-size 48M "${PFX}a"
	big=$SET
	# Another set, of another volume.
	new_set --label "${PFX}other" "${PFX}b"
	other=$SET
	new_set --label "${PFX}small" --cow-size 1M "${PFX}a"
	small=$SET
	vss show "$small"
	assert_success
	assert_line --regexp "^${PFX}a +/dev/mapper/vss-${small:0:8}-${PFX}a +1M +[0-9.]+% +valid *\$"

	# 32M of new data over the first half of a: far more than 1M of COW.
	head -c 32M /dev/urandom >"$BATS_TEST_TMPDIR/new"
	dd if="${VOLDEV[a]}" of="$BATS_TEST_TMPDIR/tail" bs=1M skip=32 iflag=direct status=none
	run dd if="$BATS_TEST_TMPDIR/new" of="${VOLDEV[a]}" bs=1M oflag=direct conv=notrunc status=none
	assert_success
	# The origin has exactly what was written, and its second half as it was.
	want_a=$(cat "$BATS_TEST_TMPDIR/new" "$BATS_TEST_TMPDIR/tail" | md5sum | cut -d' ' -f1)
	assert_equal "$(dsum "${VOLDEV[a]}")" "$want_a"
	assert_equal "$(dsum "${BACKING[a]}")" "$want_a"
	# The origin still takes writes and reads them back.
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=1 seek=40 oflag=direct conv=notrunc status=none
	assert_equal "$(dsum "${VOLDEV[a]}")" "$(dsum "${BACKING[a]}")"

	# The kernel agrees the small one is gone.
	run dmsetup status "vss-${small:0:8}-${PFX}a"
	assert_output --regexp ' Invalid$'

	vss show "$small"
	assert_success
	assert_line --regexp "^${PFX}a +/dev/mapper/vss-${small:0:8}-${PFX}a +1M +.* +invalid *\$"
	warns_about "$small" "${PFX}a"
	warning=$stderr
	# Every time, not once.
	show_json "$small"
	assert_success
	assert_equal "$stderr" "$warning"
	run jq -r '.shadows[] | [.set, .volume, .state] | join(" ")' <<<"$output"
	assert_output "$small ${PFX}a invalid"
	# The set is as invalid as its worst shadow.
	vss list sets --json "$small"
	assert_success
	assert_equal "$stderr" "$warning"
	run jq -r '.sets[] | [.id, .state] | join(" ")' <<<"$output"
	assert_output "$small invalid"

	vss list sets
	assert_success
	warns_about "$small" "${PFX}a"
	assert_line --regexp "^${small:0:8} +.* +${PFX}small +persistent +${PFX}a +invalid *\$"
	assert_line --regexp "^${big:0:8} +.* +${PFX}big +persistent +${PFX}a +valid *\$"
	assert_line --regexp "^${other:0:8} +.* +${PFX}other +persistent +${PFX}b +valid *\$"
	vss list sets --json
	assert_success
	warns_about "$small" "${PFX}a"
	run jq -r '.sets[] | [.label, .state] | join(" ")' <<<"$output"
	assert_line "${PFX}small invalid"
	assert_line "${PFX}big valid"
	assert_line "${PFX}other valid"

	# The other shadows: valid, and their content that of their instant.
	for s in "$big" "$other"; do
		vss show "$s"
		assert_success
		# A warning about the lost shadow may come too; none about this set.
		[[ $stderr != *"${s:0:8}"* ]] || fail "show ${s:0:8} warns about it: $stderr"
		assert_line --regexp " valid *\$"
	done
	assert_equal "$(dsum "$(shadow "$big" a)")" "$sum_a0"
	assert_equal "$(dsum "$(shadow "$other" b)")" "$sum_b0"

	# The lost shadow can be deleted like any other; the warning goes with it.
	vss delete-set "$small"
	assert_success
	assert_output "deleted $small"
	vss list sets
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(dsum "$(shadow "$big" a)")" "$sum_a0"
}

@test "an overflowed shadow of a mounted filesystem: the filesystem goes on, the set says invalid" {
	mkvol a 64
	mkfs_mount a
	new_set --cow-size 1M "${PFX}a"
	head -c 24M /dev/urandom >"$BATS_TEST_TMPDIR/big"
	cp "$BATS_TEST_TMPDIR/big" "${MNT[a]}/big"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	assert_equal "$(md5sum <"${MNT[a]}/big")" "$(md5sum <"$BATS_TEST_TMPDIR/big")"
	show_json "$SET"
	assert_success
	run jq -r '.shadows[] | [.set, .state] | join(" ")' <<<"$output"
	assert_output "$SET invalid"
	big=none other=none
	warns_about "$SET" "${PFX}a"
	umount "${MNT[a]}"
	run fsck.ext4 -n -f "${VOLDEV[a]}"
	assert_success
}
