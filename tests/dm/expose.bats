#!/usr/bin/env bats
# expose / unexpose: read-only mounts of shadows (ext4 with noload, XFS with
# nouuid while the origin with the same UUID is mounted), and delete-set of an
# exposed set.

load lib
load sets-lib

# two_ext4_volumes: volumes a and b, ext4, mounted, with files; a set of both
# ($SET); afterwards the origins change. Their trees at the set in $want_a, $want_b.
two_ext4_volumes() {
	mkvol a 64
	mkvol b 64
	mkfs_mount a
	mkfs_mount b
	fill_files "${MNT[a]}" 10
	fill_files "${MNT[b]}" 12
	want_a=$(tree_sum "${MNT[a]}") want_b=$(tree_sum "${MNT[b]}")
	new_set "${PFX}a" "${PFX}b"
	echo "written after the set" >"${MNT[a]}/note"
	rm "${MNT[b]}/d/f1"
	sync
}

# assert_exposed DEVICE MOUNTPOINT FSTYPE: mounted there, read-only, and
# writing there fails.
assert_exposed() {
	assert_equal "$(mount_src "$2")" "$1"
	assert_equal "$(awk -v d="$2" '$2 == d {print $3}' /proc/mounts)" "$3"
	[[ ,$(mount_opts "$2"), == *,ro,* ]] || fail "$2 is mounted $(mount_opts "$2")"
	run touch "$2/new-file"
	assert_failure
	[ ! -e "$2/new-file" ]
}

@test "expose SET: each shadow read-only on RUN_DIR/<set8>/<volume>, with the files of the set's instant; unexpose" {
	two_ext4_volumes
	vss expose "$SET"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 2
	assert_line "$(shadow "$SET" a) on $VSS_RUN_DIR/$SET8/${PFX}a"
	assert_line "$(shadow "$SET" b) on $VSS_RUN_DIR/$SET8/${PFX}b"
	for v in a b; do
		assert_exposed "$(shadow "$SET" "$v")" "$VSS_RUN_DIR/$SET8/${PFX}$v" ext4
		[[ ,$(mount_opts "$VSS_RUN_DIR/$SET8/${PFX}$v"), == *,norecovery,* ]] ||
			fail "ext4 exposed without noload: $(mount_opts "$VSS_RUN_DIR/$SET8/${PFX}$v")"
	done
	assert_equal "$(tree_sum "$VSS_RUN_DIR/$SET8/${PFX}a")" "$want_a"
	assert_equal "$(tree_sum "$VSS_RUN_DIR/$SET8/${PFX}b")" "$want_b"
	assert_equal "$(cat "$VSS_RUN_DIR/$SET8/${PFX}a/note")" "written before the set"
	# show and its JSON say where.
	vss show "$SET"
	assert_success
	for v in a b; do
		assert_line --regexp "^${PFX}$v +$(shadow "$SET" "$v") +[0-9.]+[KMG] +[0-9.]+% +valid +$VSS_RUN_DIR/$SET8/${PFX}$v\$"
	done
	show_json "$SET"
	run jq -r '.shadows[] | [.volume, .mountpoint] | join(" ")' <<<"$output"
	assert_line "${PFX}a $VSS_RUN_DIR/$SET8/${PFX}a"
	assert_line "${PFX}b $VSS_RUN_DIR/$SET8/${PFX}b"
	# The origins are as they are now, not as the shadows.
	assert_equal "$(cat "${MNT[a]}/note")" "written after the set"

	vss unexpose "$SET"
	assert_success
	assert_equal "$stderr" ""
	for v in a b; do
		run mount_src "$VSS_RUN_DIR/$SET8/${PFX}$v"
		assert_output ""
	done
	run grep -c "^/dev/mapper/vss-$SET8-" /proc/mounts
	assert_output 0
	show_json "$SET"
	run jq -r '[.shadows[].mountpoint] | map(tostring) | join(" ")' <<<"$output"
	assert_output "null null"
	# The shadows are still there, readable by any program.
	[ -b "$(shadow "$SET" a)" ]
	run blkid -p -o value -s TYPE "$(shadow "$SET" a)"
	assert_output ext4
}

@test "expose SET MOUNTPOINT: each volume under MOUNTPOINT/<volume>" {
	two_ext4_volumes
	mnt=$BATS_TEST_TMPDIR/restore
	mkdir "$mnt"
	vss expose "$SET8" "$mnt"
	assert_success
	assert_line "$(shadow "$SET" a) on $mnt/${PFX}a"
	assert_line "$(shadow "$SET" b) on $mnt/${PFX}b"
	assert_equal "${#lines[@]}" 2
	assert_exposed "$(shadow "$SET" a)" "$mnt/${PFX}a" ext4
	assert_exposed "$(shadow "$SET" b)" "$mnt/${PFX}b" ext4
	assert_equal "$(tree_sum "$mnt/${PFX}a")" "$want_a"
	assert_equal "$(tree_sum "$mnt/${PFX}b")" "$want_b"
	run grep -c " $VSS_RUN_DIR/" /proc/mounts
	assert_output 0
	vss unexpose "$SET8"
	assert_success
	run grep -c " $mnt/" /proc/mounts
	assert_output 0
}

@test "expose SET/VOLUME [MOUNTPOINT]: one shadow; unexpose SET/VOLUME leaves the other" {
	two_ext4_volumes
	mnt=$BATS_TEST_TMPDIR/just-a
	mkdir "$mnt"
	vss expose "$SET/${PFX}a" "$mnt"
	assert_success
	assert_output "$(shadow "$SET" a) on $mnt"
	assert_exposed "$(shadow "$SET" a)" "$mnt" ext4
	assert_equal "$(tree_sum "$mnt")" "$want_a"
	run grep -c "^$(shadow "$SET" b) " /proc/mounts
	assert_output 0
	vss expose "$SET8/${PFX}b"
	assert_success
	assert_output "$(shadow "$SET" b) on $VSS_RUN_DIR/$SET8/${PFX}b"
	assert_equal "$(tree_sum "$VSS_RUN_DIR/$SET8/${PFX}b")" "$want_b"
	vss unexpose "$SET/${PFX}a"
	assert_success
	run mount_src "$mnt"
	assert_output ""
	assert_equal "$(mount_src "$VSS_RUN_DIR/$SET8/${PFX}b")" "$(shadow "$SET" b)"
	show_json "$SET"
	run jq -r '.shadows[] | [.volume, (.mountpoint | tostring)] | join(" ")' <<<"$output"
	assert_line "${PFX}a null"
	assert_line "${PFX}b $VSS_RUN_DIR/$SET8/${PFX}b"
	# A volume that is not in the set.
	mkvol c 16
	before=$(fp)
	vss expose "$SET/${PFX}c"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "vss: expose: "*"${PFX}c"* ]] || fail "unexpected message: $stderr"
	assert_equal "$(fp)" "$before"
}

@test "expose: XFS, its origin mounted with the same UUID (nouuid, norecovery)" {
	command -v mkfs.xfs >/dev/null || skip "xfsprogs is not installed"
	mkvol x 320
	mkfs_mount x xfs
	fill_files "${MNT[x]}" 16
	want=$(tree_sum "${MNT[x]}")
	new_set --cow-size 16M "${PFX}x"
	echo "written after the set" >"${MNT[x]}/note"
	sync
	vss expose "$SET"
	assert_success
	assert_output "$(shadow "$SET" x) on $VSS_RUN_DIR/$SET8/${PFX}x"
	assert_exposed "$(shadow "$SET" x)" "$VSS_RUN_DIR/$SET8/${PFX}x" xfs
	opts=,$(mount_opts "$VSS_RUN_DIR/$SET8/${PFX}x"),
	[[ $opts == *,nouuid,* && $opts == *,norecovery,* ]] || fail "xfs exposed with $opts"
	assert_equal "$(tree_sum "$VSS_RUN_DIR/$SET8/${PFX}x")" "$want"
	assert_equal "$(cat "$VSS_RUN_DIR/$SET8/${PFX}x/note")" "written before the set"
	assert_equal "$(blkid -p -o value -s UUID "$(shadow "$SET" x)")" "$(blkid -p -o value -s UUID "${VOLDEV[x]}")"
	vss unexpose "$SET"
	assert_success
	run mount_src "$VSS_RUN_DIR/$SET8/${PFX}x"
	assert_output ""
}

@test "delete-set of an exposed set: refused without --force (exit 1, nothing changed); --force unmounts, then deletes" {
	two_ext4_volumes
	vss expose "$SET/${PFX}a"
	assert_success
	mp=$VSS_RUN_DIR/$SET8/${PFX}a
	before=$(fp)
	vss delete-set "$SET"
	assert_failure 1
	assert_output ""
	assert_stderr "vss: delete-set: $SET8: exposed on $mp; unexpose it first or use --force"
	assert_equal "$(fp)" "$before"
	vss delete-set --all
	assert_failure 1
	assert_stderr "vss: delete-set: $SET8: exposed on $mp; unexpose it first or use --force"
	assert_equal "$(fp)" "$before"
	assert_equal "$(tree_sum "$mp")" "$want_a"

	vss delete-set --force "$SET"
	assert_success
	deleted=$output
	run mount_src "$mp"
	assert_output ""
	run grep -c "^/dev/mapper/vss-$SET8-" /proc/mounts
	assert_output 0
	run set_ids
	assert_output ""
	run vss_devices_of a
	assert_output ""
	run vss_devices_of b
	assert_output ""
	# The origins go on as they were.
	assert_equal "$(cat "${MNT[a]}/note")" "written after the set"
	assert_equal "$deleted" "deleted $SET"
}

@test "expose of an unknown set, unexpose of a set not exposed" {
	mkvol a 16
	mkfs.ext4 -q "${VOLDEV[a]}"
	new_set "${PFX}a"
	before=$(fp)
	vss expose zzz
	assert_failure 1
	assert_stderr "vss: expose: zzz: no such shadow copy set"
	vss unexpose zzz
	assert_failure 1
	assert_stderr "vss: unexpose: zzz: no such shadow copy set"
	assert_equal "$(fp)" "$before"
	# Whether that is an error the contract does not say; it changes nothing.
	vss unexpose "$SET"
	[ "$status" = 0 ] || assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(fp)" "$before"
}

@test "a 90-character volume name and a 200-character mountpoint with ' ;' in it: recorded, read back, exposed, deleted" {
	long=$(printf 'v%.0s' $(seq 1 $((90 - ${#PFX}))))
	mkvol "$long" 32
	mkfs_mount "$long"
	echo "long names" >"${MNT[$long]}/note"
	new_set "${PFX}$long"
	mp=$BATS_TEST_TMPDIR/$(printf 'd%.0s' $(seq 1 150))' ;x'
	mkdir "$mp"
	vss expose "$SET" "$mp"
	assert_success
	assert_equal "$(cat "$mp/${PFX}$long/note")" "long names"
	# Every command reads the records back: list, show, and the next
	# mutating command's recovery, which must find nothing to do.
	show_json "$SET"
	run jq -r '.shadows[0] | [.volume, .mountpoint] | join("|")' <<<"$output"
	assert_output "${PFX}$long|$mp/${PFX}$long"
	vss recover
	assert_success
	assert_output ""
	vss delete-set --force "$SET"
	assert_success
	run dmsetup info "vss-${PFX}$long-real"
	assert_failure
}

# assert_mounted DIR DEVICE: findmnt says DEVICE is mounted on DIR.
assert_mounted() {
	run findmnt -n -o SOURCE --mountpoint "$1"
	assert_success
	assert_output "$2"
}

# assert_not_mounted DIR: nothing is mounted on DIR.
assert_not_mounted() {
	run findmnt -n -o SOURCE --mountpoint "$1"
	assert_failure
	assert_output ""
}

@test "expose of a shadow exposed already: refused (exit 1) with nothing changed, the shadows exposed stay mounted; unexpose SET unmounts them all" {
	two_ext4_volumes
	ra=$VSS_RUN_DIR/$SET8/${PFX}a rb=$VSS_RUN_DIR/$SET8/${PFX}b
	vss expose "$SET"
	assert_success
	mnt=$BATS_TEST_TMPDIR/elsewhere
	before=$(fp)
	# A single shadow to a mountpoint of its own: neither it nor the other
	# shadow comes down, and the mountpoint is not made.
	vss expose "$SET/${PFX}a" "$mnt"
	assert_failure 1
	assert_output ""
	assert_stderr "vss: expose: $(shadow "$SET" a): already exposed on $ra"
	assert_equal "$(fp)" "$before"
	assert_mounted "$ra" "$(shadow "$SET" a)"
	assert_mounted "$rb" "$(shadow "$SET" b)"
	[ ! -e "$mnt" ] || fail "$mnt was made"
	vss expose "$SET8"
	assert_failure 1
	assert_stderr "vss: expose: $(shadow "$SET" a): already exposed on $ra"
	assert_equal "$(fp)" "$before"
	assert_mounted "$ra" "$(shadow "$SET" a)"
	assert_mounted "$rb" "$(shadow "$SET" b)"
	vss unexpose "$SET"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line "$(shadow "$SET" a) unmounted from $ra"
	assert_line "$(shadow "$SET" b) unmounted from $rb"
	assert_not_mounted "$ra"
	assert_not_mounted "$rb"
	[ ! -e "$VSS_RUN_DIR/$SET8" ] || fail "$VSS_RUN_DIR/$SET8 is left"

	# The whole set when one shadow is exposed: the other is not mounted
	# first and taken down again; the exposed one stays.
	vss expose "$SET/${PFX}b"
	assert_success
	before=$(fp)
	vss expose "$SET" "$mnt"
	assert_failure 1
	assert_stderr "vss: expose: $(shadow "$SET" b): already exposed on $rb"
	assert_equal "$(fp)" "$before"
	assert_mounted "$rb" "$(shadow "$SET" b)"
	assert_not_mounted "$ra"
	[ ! -e "$ra" ] || fail "$ra was made"
	[ ! -e "$mnt" ] || fail "$mnt was made"
	vss unexpose "$SET"
	assert_success
	assert_output "$(shadow "$SET" b) unmounted from $rb"
}

@test "expose to a MOUNTPOINT that does not exist: made (0755) and removed again by unexpose; one vss did not make stays; a missing parent is refused" {
	two_ext4_volumes
	umask 022
	# A whole set: MOUNTPOINT and MOUNTPOINT/VOLUME are made.
	mnt=$BATS_TEST_TMPDIR/new
	vss expose "$SET" "$mnt"
	assert_success
	assert_equal "$stderr" ""
	assert_line "$(shadow "$SET" a) on $mnt/${PFX}a"
	assert_line "$(shadow "$SET" b) on $mnt/${PFX}b"
	assert_equal "$(stat -c %a "$mnt")" 755
	assert_mounted "$mnt/${PFX}a" "$(shadow "$SET" a)"
	assert_mounted "$mnt/${PFX}b" "$(shadow "$SET" b)"
	assert_equal "$(tree_sum "$mnt/${PFX}a")" "$want_a"
	# One volume down: its directory goes, MOUNTPOINT stays for the other.
	vss unexpose "$SET/${PFX}a"
	assert_success
	[ ! -e "$mnt/${PFX}a" ] || fail "$mnt/${PFX}a is left"
	[ -d "$mnt" ] || fail "$mnt went with a volume still under it"
	vss unexpose "$SET"
	assert_success
	[ ! -e "$mnt" ] || fail "$mnt is left: $(ls -la "$mnt")"

	# A single shadow on a MOUNTPOINT that is not there: made, then removed.
	one=$BATS_TEST_TMPDIR/one
	vss expose "$SET/${PFX}a" "$one"
	assert_success
	assert_output "$(shadow "$SET" a) on $one"
	assert_mounted "$one" "$(shadow "$SET" a)"
	assert_equal "$(tree_sum "$one")" "$want_a"
	vss unexpose "$SET"
	assert_success
	[ ! -e "$one" ] || fail "$one is left"

	# A MOUNTPOINT that was there stays, as do the directories under it.
	mkdir -p "$BATS_TEST_TMPDIR/kept/${PFX}b"
	vss expose "$SET" "$BATS_TEST_TMPDIR/kept"
	assert_success
	vss unexpose "$SET"
	assert_success
	[ -d "$BATS_TEST_TMPDIR/kept/${PFX}b" ] || fail "a directory vss did not make was removed"
	[ ! -e "$BATS_TEST_TMPDIR/kept/${PFX}a" ] || fail "$BATS_TEST_TMPDIR/kept/${PFX}a is left"

	# Its parent missing: refused, nothing made, mounted or recorded.
	before=$(fp)
	vss expose "$SET" "$BATS_TEST_TMPDIR/no/such"
	assert_failure 1
	assert_output ""
	assert_stderr "vss: expose: $BATS_TEST_TMPDIR/no/such: cannot make the mountpoint: No such file or directory"
	assert_equal "$(fp)" "$before"
	[ ! -e "$BATS_TEST_TMPDIR/no" ] || fail "$BATS_TEST_TMPDIR/no was made"
	vss expose "$SET/${PFX}a" "$BATS_TEST_TMPDIR/no/such"
	assert_failure 1
	assert_stderr "vss: expose: $BATS_TEST_TMPDIR/no/such: cannot make the mountpoint: No such file or directory"
	assert_equal "$(fp)" "$before"
}

@test "expose of a set with a shadow that holds no filesystem: refused before anything is mounted or made" {
	mkvol a 64
	mkvol c 16
	mkfs_mount a
	new_set "${PFX}a" "${PFX}c"
	mnt=$BATS_TEST_TMPDIR/new
	before=$(fp)
	vss expose "$SET" "$mnt"
	assert_failure 1
	assert_output ""
	assert_stderr "vss: expose: $(shadow "$SET" c): holds no filesystem vss can mount; read the device itself"
	assert_equal "$(fp)" "$before"
	[ ! -e "$mnt" ] || fail "$mnt was made"
	assert_not_mounted "$mnt/${PFX}a"
	vss expose "$SET"
	assert_failure 1
	assert_equal "$(fp)" "$before"
	[ ! -e "$VSS_RUN_DIR/$SET8/${PFX}a" ] || fail "$VSS_RUN_DIR/$SET8/${PFX}a was made"
}
