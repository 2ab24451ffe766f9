#!/usr/bin/env bats
# The thin provider: volume import --thin (a pool on a blank device, thin
# volumes in it), sets of thin and cow volumes at one instant, thin
# snapshots' data, delete, revert (the volume moved onto the snapshot's id),
# the pool's use in list storage and to the monitor, and a reboot.

load lib
load sets-lib
load reboot-lib

# thinvol NAME MB: thin volume ${PFX}NAME of MB MiB in the pool on $POOLDEV
# (made there by the first one). Sets VOLDEV[NAME].
thinvol() {
	vss volume import --thin "$2M" "$POOLDEV" "${PFX}$1"
	[ "$status" = 0 ] || fail "volume import --thin $2M $POOLDEV ${PFX}$1: $stderr"
	settle
	VOLDEV[$1]=/dev/mapper/${PFX}$1
	[ -b "${VOLDEV[$1]}" ] || fail "no ${VOLDEV[$1]} after import"
}

# pool_used: the data blocks pool ${PFX}t1 has in use.
pool_used() {
	dmsetup status "vss-${PFX}t1-pool" | awk '{split($6, a, "/"); print a[1]}'
}

@test "volume import --thin: a pool on a blank device, volumes in it; a device holding a filesystem is refused; the last volume removed frees the device" {
	POOLDEV=$(mkloop 128)
	thinvol t1 64
	assert_line --regexp "^thin pool ${PFX}t1 made on $POOLDEV: [0-9.]+M of data\$"
	assert_line --regexp "^/dev/mapper/${PFX}t1: thin volume of 64M in pool ${PFX}t1 \([0-9.]+M of data on $POOLDEV\)\$"
	thinvol t2 256
	assert_line --regexp "bigger than its pool: writes fail once the pool is full\$"
	# Empty, as a new disk: zeros.
	assert_equal "$(dsum "${VOLDEV[t1]}")" "$(head -c 64M /dev/zero | md5sum | cut -d' ' -f1)"
	run dmsetup table "${PFX}t1"
	assert_output --regexp "^0 131072 thin [0-9]+:[0-9]+ [0-9]+\$"
	dd if=/dev/urandom of="${VOLDEV[t1]}" bs=1M count=8 oflag=direct status=none
	sum1=$(dsum "${VOLDEV[t1]}")
	vss list volumes
	assert_line --regexp "^${PFX}t1 "
	vss storage list --json
	assert_equal "$(jq -r --arg d "$POOLDEV" '.storage[] | select(.area == $d) | .type' <<<"$output")" thin-pool
	[ "$(jq -r --arg d "$POOLDEV" '.storage[] | select(.area == $d) | .used' <<<"$output")" -ge $((8 << 20)) ] ||
		fail "the pool's use is not shown: $output"

	# Refusals: a device with a filesystem, a name taken, no size, a bad one.
	fsdev=$(mkloop 32)
	mkfs.ext4 -q -F "$fsdev"
	ptdev=$(mkloop 32)
	# An MBR with one Linux partition (at sector 2048, 4096 sectors), by hand.
	printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x10\x00\x00' |
		dd of="$ptdev" bs=1 seek=446 conv=notrunc status=none
	printf '\x55\xaa' | dd of="$ptdev" bs=1 seek=510 conv=notrunc status=none
	before=$(fingerprint)
	vss volume import --thin 16M "$fsdev" "${PFX}t3"
	assert_failure 1
	assert_stderr "vss: volume import: $fsdev: holds an ext4; a thin pool would destroy it (wipefs it first if that is what you want)"
	vss volume import --thin 16M "$ptdev" "${PFX}t3"
	assert_failure 1
	assert_stderr "vss: volume import: $ptdev: holds a partition table (dos); a thin pool would destroy it (wipefs it first if that is what you want)"
	vss volume import --thin 16M "$POOLDEV" "${PFX}t1"
	assert_failure 1
	assert_stderr "vss: volume import: ${PFX}t1: a device-mapper device of that name already exists"
	vss volume import --thin lots "$POOLDEV" "${PFX}t3"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: volume import: --thin lots: not a size (512M, 20G)"
	assert_equal "$(fingerprint)" "$before"

	# Removing a thin volume removes its data; the pool goes with the last.
	vss volume remove "${PFX}t2"
	assert_success
	assert_output "/dev/mapper/${PFX}t2 removed, and its data with it (thin volume of pool ${PFX}t1)"
	assert_equal "$(dsum "${VOLDEV[t1]}")" "$sum1"
	vss volume remove "${PFX}t1"
	assert_success
	assert_line "thin pool ${PFX}t1 removed: $POOLDEV is free"
	run dmsetup info "vss-${PFX}t1-pool"
	assert_failure
	run ls "/sys/class/block/$(basename "$POOLDEV")/holders"
	assert_output ""
	[ ! -e "$VSS_STATE_DIR/pools/${PFX}t1.conf" ] || fail "the pool's record is left"
}

@test "a set of a thin and a cow volume at one instant; thin snapshots read as the volume was; --provider refusals; delete-set gives the pool's space back" {
	POOLDEV=$(mkloop 256)
	thinvol t1 64
	mkvol c 32
	dd if=/dev/urandom of="${VOLDEV[t1]}" bs=1M count=64 oflag=direct status=none
	dd if=/dev/urandom of="${VOLDEV[c]}" bs=1M count=32 oflag=direct status=none
	t0=$(dsum "${VOLDEV[t1]}") c0=$(dsum "${VOLDEV[c]}")
	new_set "${PFX}t1" "${PFX}c"
	s1=$SET
	vss list shadows --json
	assert_equal "$(jq -r --arg v "${PFX}t1" '.shadows[] | select(.volume == $v) | [.set, .provider, .state] | join(" ")' <<<"$output")" "$s1 thin valid"
	# Its table: thin on a new id of the pool; its volume's table unchanged.
	run dmsetup table "vss-${s1:0:8}-${PFX}t1"
	assert_output --regexp "^0 131072 thin [0-9]+:[0-9]+ [0-9]+\$"
	run dmsetup table "${PFX}t1"
	assert_output --regexp "^0 131072 thin "
	[ -z "$(dmsetup ls | grep "vss-${PFX}t1-real")" ] || fail "a thin volume got a -real layer"
	dd if=/dev/urandom of="${VOLDEV[t1]}" bs=1M count=16 seek=8 oflag=direct conv=notrunc status=none
	dd if=/dev/urandom of="${VOLDEV[c]}" bs=1M count=2 seek=4 oflag=direct conv=notrunc status=none
	assert_equal "$(dsum "$(shadow "$s1" t1)")" "$t0"
	assert_equal "$(dsum "$(shadow "$s1" c)")" "$c0"
	# Read-only, as cow shadows are.
	assert_equal "$(blockdev --getro "$(shadow "$s1" t1)")" 1
	run dd if=/dev/zero of="$(shadow "$s1" t1)" bs=4K count=1 oflag=direct status=none
	assert_failure
	assert_equal "$(dsum "$(shadow "$s1" t1)")" "$t0"
	t1sum=$(dsum "${VOLDEV[t1]}")
	[ "$t1sum" != "$t0" ] || fail "the volume did not change"
	# The shadow's use is the pool's: COW-SIZE the pool's data, COW-USED its use.
	vss show "$s1" --json
	used=$(jq -r --arg v "${PFX}t1" '.shadows[] | select(.volume == $v) | ."cow-used"' <<<"$output")
	[ "$used" -ge $((80 << 20)) ] || fail "the pool's use is not the thin shadow's: $output"

	# --provider thin on a cow volume: refused, nothing made; cow on a thin one: a cow shadow.
	before=$(fp)
	vss create-set --provider thin "${PFX}c"
	assert_failure 1
	assert_stderr "vss: create-set: ${PFX}c: not a thin volume of a vss pool (the thin provider needs one: vss volume import --thin)"
	assert_equal "$(fp)" "$before"
	vss create-set --provider cow --cow-size 8M "${PFX}t1"
	assert_failure 1
	assert_stderr "vss: create-set: ${PFX}t1: a thin volume: its shadows are thin snapshots (--provider cow is for other volumes)"
	assert_equal "$(fp)" "$before"

	# Deleting the set deletes the snapshot from the pool: its blocks are free.
	before_used=$(pool_used)
	vss delete-set "$s1"
	assert_success
	[ "$(pool_used)" -lt "$before_used" ] || fail "the pool kept the snapshot's blocks: $before_used, now $(pool_used)"
	assert_equal "$(dsum "${VOLDEV[t1]}")" "$t1sum"
	assert_equal "$(dsum "${VOLDEV[c]}")" "$(dsum "${BACKING[c]}")"
}

@test "8 thin shadows of one volume each read as their instant; the monitor deletes the oldest sets when the pool reaches full_at, as few as it takes" {
	POOLDEV=$(mkloop 64)
	thinvol t1 32
	local -a sums=() ids=()
	# Each set holds its own 4M: the start of the volume, written anew before each.
	for idx in 0 1 2 3 4 5 6 7; do
		dd if=/dev/urandom of="${VOLDEV[t1]}" bs=1M count=4 oflag=direct conv=notrunc status=none
		sums[idx]=$(dsum "${VOLDEV[t1]}")
		new_set "${PFX}t1"
		ids[idx]=$SET
	done
	dd if=/dev/urandom of="${VOLDEV[t1]}" bs=1M count=4 oflag=direct conv=notrunc status=none
	for idx in 0 1 2 3 4 5 6 7; do
		assert_equal "$(dsum "$(shadow "${ids[idx]}" t1)")" "${sums[idx]}"
	done
	# 9 x 4M of 60M of data: 60%. At full_at 50% two sets must go (4M each).
	read -r used total < <(dmsetup status "vss-${PFX}t1-pool" | awk '{split($6, a, "/"); print a[1], a[2]}')
	assert_equal "$((used * 100 / total))" 60
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf
	printf '%s\n' "[vss]" "on_full = delete-oldest" "warn_at = 20%" "full_at = 50%" >"$VSS_CONFIG"
	chmod 0644 "$VSS_CONFIG"
	vss monitor --once
	assert_success
	assert_equal "${#stderr_lines[@]}" 3
	[[ ${stderr_lines[0]} == "vss: warning: deleted set ${ids[0]:0:8} (made "*"): the oldest set in thin pool ${PFX}t1, which was 60% full; on_full = delete-oldest" ]] ||
		fail "not the oldest first: $stderr"
	[[ ${stderr_lines[1]} == "vss: warning: deleted set ${ids[1]:0:8} (made "*"): the oldest set in thin pool ${PFX}t1, which was 53% full; on_full = delete-oldest" ]] ||
		fail "not the next oldest: $stderr"
	assert_equal "$(set_ids)" "$(printf '%s\n' "${ids[@]:2}" | sort)"
	for idx in 2 3 4 5 6 7; do
		assert_equal "$(dsum "$(shadow "${ids[idx]}" t1)")" "${sums[idx]}"
	done
	# Below full_at then, still above warn_at: its look after the deletions says so.
	assert_equal "${stderr_lines[2]}" "vss: warning: thin pool ${PFX}t1: 46% full (28M of 60M)"
}

@test "thin revert: an unmounted volume moves onto the snapshot at once; a mounted one is scheduled and done once unmounted; other shadows keep their instants" {
	POOLDEV=$(mkloop 256)
	thinvol t1 64
	mkfs_mount t1
	fill_files "${MNT[t1]}" 20
	new_set "${PFX}t1"; s1=$SET
	tree1=$(tree_sum "${MNT[t1]}")
	fill_files "${MNT[t1]}" 5
	echo changed >"${MNT[t1]}/note"
	sync -f "${MNT[t1]}"
	new_set "${PFX}t1"; s2=$SET
	umount "${MNT[t1]}"
	s2sum=$(dsum "$(shadow "$s2" t1)")
	s1sum=$(dsum "$(shadow "$s1" t1)")
	old_id=$(dmsetup table "${PFX}t1" | awk '{print $5}')
	snap_id=$(dmsetup table "vss-${s1:0:8}-${PFX}t1" | awk '{print $5}')

	vss revert --yes "$s1"
	assert_success
	assert_output "${PFX}t1: reverted to set ${s1:0:8} (now on its snapshot's data) (its last shadow: the set is gone)"
	assert_equal "$(dmsetup table "${PFX}t1" | awk '{print $5}')" "$snap_id"
	assert_equal "$(dsum "${VOLDEV[t1]}")" "$s1sum"
	mount "${VOLDEV[t1]}" "${MNT[t1]}"
	assert_equal "$(tree_sum "${MNT[t1]}")" "$tree1"
	# The later set is as it was, and the old id is gone from the pool.
	assert_equal "$(dsum "$(shadow "$s2" t1)")" "$s2sum"
	ids_now=$(set_ids)
	assert_equal "$ids_now" "$s2"
	run dmsetup message "vss-${PFX}t1-pool" 0 "delete $old_id"
	assert_failure

	# Mounted: scheduled, the volume untouched until it is free.
	echo again >"${MNT[t1]}/note"
	sync -f "${MNT[t1]}"
	vss revert --yes "$s2"
	assert_success
	assert_output "${PFX}t1: mounted on ${MNT[t1]}: its revert to set ${s2:0:8} is scheduled; it starts when ${PFX}t1 is no longer in use: at the next vss command that changes something, at vss monitor's next look, or at activate"
	vss list shadows --json
	assert_equal "$(jq -r '[.shadows[] | [.set, .state] | join(" ")] | join(",")' <<<"$output")" "$s2 revert-scheduled"
	assert_equal "$(cat "${MNT[t1]}/note")" again
	umount "${MNT[t1]}"
	vss monitor --once
	assert_success
	assert_line "${PFX}t1: reverted to set ${s2:0:8} (now on its snapshot's data) (its last shadow: the set is gone)"
	assert_equal "$(dsum "${VOLDEV[t1]}")" "$s2sum"
	assert_equal "$(set_ids)" ""
}

@test "reboot: thin and cow shadows, the pool and the thin volume rebuilt by activate from the state; every shadow's data as it was; a second activate changes nothing" {
	POOLDEV=$(mkloop 192)
	thinvol t1 64
	mkvol c 32
	dd if=/dev/urandom of="${VOLDEV[t1]}" bs=1M count=32 oflag=direct status=none
	dd if=/dev/urandom of="${VOLDEV[c]}" bs=1M count=32 oflag=direct status=none
	new_set "${PFX}t1" "${PFX}c"; s1=$SET
	dd if=/dev/urandom of="${VOLDEV[t1]}" bs=1M count=8 seek=4 oflag=direct conv=notrunc status=none
	dd if=/dev/urandom of="${VOLDEV[c]}" bs=1M count=2 seek=4 oflag=direct conv=notrunc status=none
	new_set "${PFX}t1"; s2=$SET
	# An auto-release thin set, its session alive until the power goes:
	# activate deletes it, its pool not yet there when recovery begins.
	printf '%s\n' "create-set --context auto-release ${PFX}t1" "exec sleep 600" >"$BATS_TEST_TMPDIR/session"
	bg "$VSS" -f "$BATS_TEST_TMPDIR/session"
	# (A minute and more: a loaded guest's create-set can take long.)
	for _ in $(seq 300); do
		[ "$(set_ids | wc -l)" = 3 ] && break
		sleep 0.2
	done
	[ "$(set_ids | wc -l)" = 3 ] || fail "the auto-release set was never made"
	s3=$(set_ids | grep -v -e "$s1" -e "$s2")
	dd if=/dev/urandom of="${VOLDEV[t1]}" bs=1M count=8 seek=40 oflag=direct conv=notrunc status=none
	declare -A want
	want[t1]=$(dsum "${VOLDEV[t1]}") want[c]=$(dsum "${VOLDEV[c]}")
	want[1t1]=$(dsum "$(shadow "$s1" t1)") want[1c]=$(dsum "$(shadow "$s1" c)")
	want[2t1]=$(dsum "$(shadow "$s2" t1)")
	files=("$(backing_file "$POOLDEV")" "$(backing_file "${BACKING[c]}")")

	reboot "${files[1]}" "${files[0]}"
	assert_equal "$(state_of "$s2" t1)" missing
	vss activate
	[ "$status" = 0 ] || fail "activate exited $status: $stderr"
	assert_equal "$stderr" ""
	assert_line --regexp "^set $s3: deleted \(auto-release, and its process [0-9]+ is gone\)\$"
	assert_equal "$(set_ids)" "$(printf '%s\n' "$s1" "$s2" | sort)"
	assert_equal "$(dsum "${VOLDEV[t1]}")" "${want[t1]}"
	assert_equal "$(dsum "${VOLDEV[c]}")" "${want[c]}"
	assert_equal "$(dsum "$(shadow "$s1" t1)")" "${want[1t1]}"
	assert_equal "$(dsum "$(shadow "$s1" c)")" "${want[1c]}"
	assert_equal "$(dsum "$(shadow "$s2" t1)")" "${want[2t1]}"
	assert_equal "$(state_of "$s1" t1)" valid
	assert_equal "$(state_of "$s2" t1)" valid
	# The pool is on the device found again, at its new number.
	run dmsetup table "vss-${PFX}t1-pool-tdata"
	assert_output --regexp " linear $(majmin_of "${LOOPOF[${files[0]}]}") "
	before=$(fingerprint)
	vss activate
	assert_success
	assert_output "nothing to do: 2 volumes and every shadow already active"
	assert_equal "$(fingerprint)" "$before"
	# Snapshots still work after it: a new set, and writes.
	new_set "${PFX}t1"
	assert_equal "$(dsum "$(shadow "$SET" t1)")" "${want[t1]}"
}

@test "SIGKILL at every step of create-set of a thin and a cow volume: recover undoes it, and every thin id it handed out is free again in the pool" {
	one_build asan "a sweep of kills (recover.bats sweeps a cow set against the plain build)"
	POOLDEV=$(mkloop 128)
	thinvol t1 32
	mkvol c 32
	dd if=/dev/urandom of="${VOLDEV[t1]}" bs=1M count=8 oflag=direct status=none
	sum_t=$(dsum "${VOLDEV[t1]}") sum_c=$(dsum "${VOLDEV[c]}")
	next_id() { sed -n 's/^next_id = //p' "$VSS_STATE_DIR/pools/${PFX}t1.conf"; }
	for point in $("$VSS" --fault-points | grep '^create:'); do
		first=$(next_id)
		VSS_FAULT=$point vss create-set "${PFX}t1" "${PFX}c"
		assert_equal "$status:$point" "137:$point"
		vss recover
		[ "$status" = 0 ] || fail "recover after $point: $stderr"
		if [ "$point" = create:committed ]; then
			vss delete-set --all
			assert_success
		fi
		assert_equal "$(set_ids):$point" ":$point"
		[ -z "$(dmsetup ls | grep "^vss-.*-${PFX}t1")" ] || fail "a thin shadow's device is left after $point: $(dmsetup ls)"
		for ((id = first; id < $(next_id); id++)); do
			# Free: the pool takes a new device of that id (then it goes).
			run dmsetup message "vss-${PFX}t1-pool" 0 "create_thin $id"
			[ "$status" = 0 ] || fail "thin id $id still in the pool after $point and recover"
			dmsetup message "vss-${PFX}t1-pool" 0 "delete $id"
		done
		assert_equal "$(dsum "${VOLDEV[t1]}")" "$sum_t"
		assert_equal "$(dsum "${VOLDEV[c]}")" "$sum_c"
	done
}
