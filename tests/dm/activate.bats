#!/usr/bin/env bats
# vss activate: a reboot, as far as device-mapper can tell one (every dm
# device and loop device of the test gone, /run emptied, the backing files
# attached again at other numbers), then activate: managed volumes, a
# foreign dm volume, shadows in a directory area and on a device area.

load lib
load sets-lib
load reboot-lib

@test "activate after a reboot: managed and foreign volumes, directory and device areas, every shadow's data as it was; auto-release sets deleted; a second activate changes nothing" {
	# A minute in the guest: with udev, as at boot. Under ASan/UBSan,
	# activate rebuilds a cow and a thin set in thin.bats and meets missing
	# devices in the next test.
	one_build plain "a whole reboot, as at boot with udev (thin.bats's reboot and the next test run activate under ASan)"
	mkvol a 64
	mkvol b 64
	fdev=$(mkloop 64)
	foreign "${PFX}f" "$fdev"
	mkfs_mount a
	mkfs_mount b
	mkfs.ext4 -q -F "/dev/mapper/${PFX}f"
	fill_files "${MNT[a]}" 10
	fill_files "${MNT[b]}" 10
	# The first set in the default directory area (at most 40M); the
	# second does not fit there and goes to the device area.
	mkdir -m 0700 -p "$VSS_STATE_DIR/storage"
	vss storage add "$VSS_STATE_DIR/storage" --max 40M
	[ "$status" = 0 ] || fail "storage add (directory): $stderr"
	adev=$(mkloop 64)
	vss storage add "$adev"
	[ "$status" = 0 ] || fail "storage add $adev: $stderr"
	new_set --cow-size 12M "${PFX}a" "${PFX}b" "${PFX}f"
	set1=$SET
	fill_files "${MNT[a]}" 5
	dd if=/dev/urandom of="/dev/mapper/${PFX}f" bs=1M count=1 seek=8 oflag=direct status=none
	new_set --cow-size 12M "${PFX}a" "${PFX}f"
	set2=$SET
	[[ $(dmsetup table "vss-${set2:0:8}-${PFX}a-cow") == *" linear $(majmin_of "$adev") "* ]] ||
		fail "set 2 is not on the device area: $(dmsetup table "vss-${set2:0:8}-${PFX}a-cow")"
	# An auto-release set, its session alive until the power goes.
	printf '%s\n' "create-set --context auto-release --cow-size 1M ${PFX}b" "exec sleep 600" \
		>"$BATS_TEST_TMPDIR/session"
	bg "$VSS" -f "$BATS_TEST_TMPDIR/session"
	# (A minute and more: a loaded guest's create-set can take long.)
	for _ in $(seq 300); do
		[ "$(set_ids | wc -l)" = 3 ] && break
		sleep 0.2
	done
	[ "$(set_ids | wc -l)" = 3 ] || fail "the auto-release set was never made"
	set3=$(set_ids | grep -v -e "$set1" -e "$set2")
	vss storage list --json
	used3=$(jq '[.storage[].used] | add' <<<"$output")
	fill_files "${MNT[b]}" 5
	dd if=/dev/urandom of="/dev/mapper/${PFX}f" bs=1M count=1 seek=20 oflag=direct status=none
	umount "${MNT[a]}" "${MNT[b]}"
	declare -A want
	for v in a b f; do want[$v]=$(dsum "/dev/mapper/${PFX}$v"); done
	for v in a b f; do want[1$v]=$(dsum "$(shadow "$set1" "$v")"); done
	for v in a f; do want[2$v]=$(dsum "$(shadow "$set2" "$v")"); done
	files=("$(backing_file "${BACKING[a]}")" "$(backing_file "${BACKING[b]}")"
		"$(backing_file "$fdev")" "$(backing_file "$adev")")
	old_a=$(majmin_of "${BACKING[a]}") old_area=$(majmin_of "$adev")

	# Reboot, the files attached again in another order (and at other
	# numbers); LVM (here: dmsetup) brings its volume back before vss runs.
	reboot "${files[3]}" "${files[2]}" "${files[1]}" "${files[0]}"
	[ "$(majmin_of "${LOOPOF[${files[0]}]}")" != "$old_a" ] || fail "a's loop kept its number"
	[ "$(majmin_of "${LOOPOF[${files[3]}]}")" != "$old_area" ] || fail "the area kept its number"
	foreign "${PFX}f" "${LOOPOF[${files[2]}]}"
	assert_equal "$(state_of "$set1" a)" missing

	vss activate
	[ "$status" = 0 ] || fail "activate exited $status: $stderr"
	assert_line --regexp "^set $set3: deleted \(auto-release, and its process [0-9]+ is gone\)$"
	assert_line "${PFX}a: active with 2 shadows (linear over ${LOOPOF[${files[0]}]})"
	assert_line "${PFX}b: active with 1 shadow (linear over ${LOOPOF[${files[1]}]})"
	assert_line "${PFX}f: active with 2 shadows"
	assert_equal "$stderr" ""
	vss storage list --json
	[ "$(jq '[.storage[].used] | add' <<<"$output")" -lt "$used3" ] ||
		fail "the auto-release set's storage was not given back: $output"
	[ ! -e "$VSS_STATE_DIR/sets/$set3.conf" ] || fail "the auto-release set's record is still there"
	assert_equal "$(set_ids | tr '\n' ' ')" "$(printf '%s\n' "$set1" "$set2" | sort | tr '\n' ' ')"
	for v in a b f; do
		assert_equal "$(dsum "/dev/mapper/${PFX}$v")" "${want[$v]}"
		assert_equal "$(dsum "$(shadow "$set1" "$v")")" "${want[1$v]}"
		assert_equal "$(state_of "$set1" "$v")" valid
	done
	for v in a f; do
		assert_equal "$(dsum "$(shadow "$set2" "$v")")" "${want[2$v]}"
		assert_equal "$(state_of "$set2" "$v")" valid
	done
	# The layering is back: -real under each origin, shadows over it.
	for v in a b f; do
		assert_equal "$(dmsetup table "${PFX}$v" | awk '{print $3, $4}')" \
			"snapshot-origin $(majmin "vss-${PFX}$v-real")"
	done
	assert_equal "$(dmsetup table "vss-${PFX}a-real")" \
		"0 131072 linear $(majmin_of "${LOOPOF[${files[0]}]}") 0"
	# The records know the new numbers: the next set finds the area.
	grep -qx "devno = $(majmin_of "${LOOPOF[${files[3]}]}")" "$VSS_STATE_DIR"/areas/*.conf ||
		fail "the area's record kept its old number: $(cat "$VSS_STATE_DIR"/areas/*.conf)"

	before=$(fp)
	vss activate
	[ "$status" = 0 ] || fail "the second activate exited $status: $stderr"
	assert_output "nothing to do: 3 volumes and every shadow already active"
	assert_equal "$stderr" ""
	assert_equal "$(fp)" "$before"

	# Writes after activation are tracked: the shadows keep their instant.
	mount "/dev/mapper/${PFX}a" "${MNT[a]}"
	fill_files "${MNT[a]}" 5
	umount "${MNT[a]}"
	[ "$(dsum "/dev/mapper/${PFX}a")" != "${want[a]}" ] || fail "nothing was written to a"
	assert_equal "$(dsum "$(shadow "$set1" a)")" "${want[1a]}"
	assert_equal "$(dsum "$(shadow "$set2" a)")" "${want[2a]}"
	new_set --cow-size 4M "${PFX}a"
	vss delete-set --all
	[ "$status" = 0 ] || fail "delete-set --all: $stderr"
	assert_equal "$(dmsetup table "${PFX}a")" "0 131072 linear $(majmin_of "${LOOPOF[${files[0]}]}") 0"
	assert_equal "$(dmsetup table "${PFX}f")" "0 131072 linear $(majmin_of "${LOOPOF[${files[2]}]}") 0"
}

@test "activate with a volume's device missing or a foreign volume replaced: each named with why, exit 1, the others activated; activate again once it is back" {
	vss activate
	[ "$status" = 0 ] || fail "activate with nothing to do exited $status: $stderr"
	assert_output "nothing to do: no managed volume, no shadow"
	mkvol a 32
	mkvol b 32
	fdev=$(mkloop 32)
	foreign "${PFX}f" "$fdev"
	declare -A want
	new_set --cow-size 2M "${PFX}a" "${PFX}b" "${PFX}f"
	dd if=/dev/urandom of="/dev/mapper/${PFX}a" bs=1M count=1 seek=3 oflag=direct status=none
	for v in a b f; do want[$v]=$(dsum "$(shadow "$SET" "$v")"); done
	fa=$(backing_file "${BACKING[a]}") fb=$(backing_file "${BACKING[b]}") ff=$(backing_file "$fdev")
	reboot "$fb" "$ff"
	# f came back as another device: same name, another uuid.
	sectors=$(blockdev --getsz "${LOOPOF[$ff]}")
	dmsetup create "${PFX}f" --uuid "TEST-other" --table "0 $sectors linear ${LOOPOF[$ff]} 0"
	settle
	ftable=$(dmsetup table "${PFX}f")

	vss activate
	assert_equal "$status" 1
	assert_equal "${#stderr_lines[@]}" 3
	assert_equal "${stderr_lines[0]}" \
		"vss: error: ${PFX}a: its device is not present (loop:0:$fa, imported from ${BACKING[a]})"
	assert_equal "${stderr_lines[1]}" \
		"vss: error: ${PFX}f: not the volume its shadows were made of (uuid TEST-other, not TEST-${PFX}f); left alone"
	assert_equal "${stderr_lines[2]}" "vss: activate: 2 of 3 volumes could not be activated"
	assert_output "${PFX}b: active with 1 shadow (linear over ${LOOPOF[$fb]})"
	assert_equal "$(dsum "$(shadow "$SET" b)")" "${want[b]}"
	assert_equal "$(dmsetup table "${PFX}f")" "$ftable"
	[ ! -e "/dev/mapper/${PFX}a" ] || fail "a was made without its device"
	assert_equal "$(state_of "$SET" a)" missing
	# A new set of f now would leave its older shadow wrong for ever.
	before=$(fp)
	vss create-set "${PFX}f"
	assert_equal "$status" 1
	assert_stderr "vss: create-set: ${PFX}f: its shadow in set $SET8 is not active (after a reboot: run vss activate first)"
	assert_equal "$(fp)" "$before"

	# The disk is back, and the right f.
	dmsetup remove "${PFX}f"
	foreign "${PFX}f" "${LOOPOF[$ff]}"
	dev_a=$(losetup -f --show "$fa")
	vss activate
	[ "$status" = 0 ] || fail "activate exited $status: $stderr"
	assert_output "${PFX}a: active with 1 shadow (linear over $dev_a)
${PFX}f: active with 1 shadow"
	for v in a b f; do
		assert_equal "$(dsum "$(shadow "$SET" "$v")")" "${want[$v]}"
		assert_equal "$(state_of "$SET" "$v")" valid
	done

	vss activate now
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "vss: activate: unexpected argument 'now'"
}
