#!/usr/bin/env bats
# Recovery: vss killed (SIGKILL) or interrupted (SIGTERM) at every named step
# of create-set and delete-set (VSS_FAULT, a build with
# --enable-fault-injection). Afterwards - at once for a signal, after
# `vss recover` for SIGKILL - no device is left suspended, no filesystem
# frozen, no vss device without its record, no record without its devices,
# and the origins are readable, writable and hold their data.

load lib

eval "$(declare -f teardown | sed '1s/^teardown/lib_teardown/')"

setup_file() {
	"$VSS" --fault-points >/dev/null 2>&1 ||
		skip "this vss has no fault injection (configure --enable-fault-injection)"
}

teardown() {
	# vss's own devices carry the volume's name, so ours contain the prefix.
	for d in $(dmsetup info -c --noheadings -o name,attr 2>/dev/null |
		awk -F: -v p="$PFX" 'index($1, p) && $2 ~ /^..s/ {print $1}'); do
		dmsetup resume "$d" || true
	done
	"$VSS" delete-set --all --force >/dev/null 2>&1 || true
	for m in "$BATS_TEST_TMPDIR"/m*; do umount "$m" 2>/dev/null || true; done
	for _ in 1 2 3; do
		for d in $(dmsetup ls 2>/dev/null | awk -v p="$PFX" '$1 ~ /^vss-/ && index($1, p) {print $1}'); do
			dmsetup remove --retry "$d" >/dev/null 2>&1 || true
		done
	done
	lib_teardown
}

# Two imported ext4 volumes, mounted on $BATS_TEST_TMPDIR/ma and mb, each
# with a file whose checksum is kept.
two_volumes() {
	for v in a b; do
		dev=$(mkloop 64)
		vss volume import "$dev" "${PFX}$v"
		assert_success
		mkfs.ext4 -q "/dev/mapper/${PFX}$v"
		mkdir -p "$BATS_TEST_TMPDIR/m$v"
		mount "/dev/mapper/${PFX}$v" "$BATS_TEST_TMPDIR/m$v"
		head -c 4M /dev/urandom >"$BATS_TEST_TMPDIR/m$v/data"
		md5sum <"$BATS_TEST_TMPDIR/m$v/data" >"$BATS_TEST_TMPDIR/$v.md5"
	done
	table_a=$(dmsetup table "${PFX}a")
	table_b=$(dmsetup table "${PFX}b")
}

# The invariants; TABLES=1 also wants both origins' own tables back.
consistent() {
	local d uuid f
	# Nothing suspended.
	run bash -c "dmsetup info -c --noheadings -o name,attr | awk -F: -v p=$PFX 'index(\$1, p) && \$2 ~ /^..s/'"
	assert_output ""
	# No filesystem frozen: a write completes.
	for v in a b; do
		run timeout 20 bash -c "echo probe >'$BATS_TEST_TMPDIR/m$v/probe' && sync -f '$BATS_TEST_TMPDIR/m$v/probe'"
		assert_success
		assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/m$v/data")" "$(cat "$BATS_TEST_TMPDIR/$v.md5")"
	done
	# No operation left half done.
	run find "$VSS_STATE_DIR/journal" -type f
	assert_output ""
	[ ! -e "$VSS_RUN_DIR/window" ]
	# Every vss device is named by a set's record...
	for d in $(dmsetup info -c --noheadings -o uuid | grep -E '^VSS-(snap|cow)-'); do
		grep -rqs -- "= $d\$" "$VSS_STATE_DIR/sets" || fail "device $d has no record"
	done
	for d in $(dmsetup ls | awk '$1 ~ /^vss-.*-real$/ {print $1}'); do
		v=${d#vss-}
		v=${v%-real}
		grep -rqsx "volume = $v" "$VSS_STATE_DIR/sets" || fail "$d left without shadows"
	done
	# ...and every record's devices exist.
	for f in "$VSS_STATE_DIR"/sets/*.conf; do
		[ -e "$f" ] || continue
		for uuid in $(awk -F' = ' '$1 == "dm_uuid" || $1 == "cow_uuid" {print $2}' "$f"); do
			dmsetup info -c --noheadings -o uuid | grep -qx -- "$uuid" || fail "$f: $uuid missing"
		done
	done
	if [ "${TABLES:-}" = 1 ]; then
		assert_equal "$(dmsetup table "${PFX}a")" "$table_a"
		assert_equal "$(dmsetup table "${PFX}b")" "$table_b"
		# (a directory vss never needed may not exist)
		run bash -c "find '$VSS_STATE_DIR/origins' '$VSS_STATE_DIR/storage' -type f 2>/dev/null"
		assert_output ""
	fi
}

@test "the build names its fault points" {
	run "$VSS" --fault-points
	assert_success
	assert_line create:journal
	assert_line create:suspended
	assert_line delete:origins-restored
}

@test "SIGKILL at every step of create-set: recover undoes the set" {
	two_volumes
	for point in $("$VSS" --fault-points | grep '^create:'); do
		VSS_FAULT=$point vss create-set "${PFX}a" "${PFX}b"
		assert_equal "$status:$point" "137:$point"
		vss recover
		assert_success
		if [ "$point" = create:committed ]; then
			# Made whole before the kill: it stays, and only its journal goes.
			assert_output ""
			run bash -c "ls '$VSS_STATE_DIR/sets' | wc -l"
			assert_output 1
			consistent
			vss delete-set --all
			assert_success
		else
			assert_output --partial "an interrupted create-set was undone"
		fi
		TABLES=1 consistent
	done
}

@test "SIGTERM at every step of create-set: the set is undone before vss dies" {
	two_volumes
	for point in $("$VSS" --fault-points | grep '^create:'); do
		VSS_FAULT=$point VSS_FAULT_SIGNAL=TERM vss create-set "${PFX}a" "${PFX}b"
		assert_equal "$status:$point" "143:$point"
		if [ "$point" = create:committed ]; then
			consistent
			vss delete-set --all
			assert_success
		else
			assert_stderr "vss: create-set: interrupted by SIGTERM"
		fi
		TABLES=1 consistent
	done
}

@test "SIGKILL at every step of delete-set: recover finishes the delete" {
	two_volumes
	for point in $("$VSS" --fault-points | grep '^delete:'); do
		vss create-set --label "k $point" "${PFX}a" "${PFX}b"
		assert_success
		id=$(ls "$VSS_STATE_DIR/sets")
		id=${id%.conf}
		if [ "$point" = delete:unexposed ]; then
			vss expose "$id"
			assert_success
			VSS_FAULT=$point vss delete-set --force "$id"
		else
			VSS_FAULT=$point vss delete-set "$id"
		fi
		assert_equal "$status:$point" "137:$point"
		vss recover
		assert_success
		if [ "$point" != delete:record-removed ]; then
			assert_output --partial "set $id: an interrupted delete-set was finished"
		fi
		[ ! -e "$VSS_STATE_DIR/sets/$id.conf" ]
		TABLES=1 consistent
	done
}

@test "an auto-release set whose process was killed goes at the next command" {
	two_volumes
	VSS_FAULT=create:committed vss create-set --context auto-release "${PFX}a"
	assert_equal "$status" 137
	vss list sets
	assert_output --partial "auto-release"
	vss recover
	assert_success
	assert_output --regexp "deleted \(auto-release, and its process [0-9]+ is gone\)"
	TABLES=1 consistent
}

@test "a mutating command recovers first: create-set after a kill inside the window" {
	two_volumes
	VSS_FAULT=create:suspended vss create-set "${PFX}a" "${PFX}b"
	assert_equal "$status" 137
	# The origins are suspended now; the next command resumes them first.
	vss create-set "${PFX}a"
	assert_success
	assert_line --partial "${PFX}a: resumed (a vss process was killed while it was suspended)"
	consistent
}
