#!/usr/bin/env bats
# Recovery: vss killed (SIGKILL) or interrupted (SIGTERM) at every named step
# of create-set and delete-set (VSS_FAULT, a build with
# --enable-fault-injection). Afterwards - at once for a signal, after
# `vss recover` for SIGKILL - no device is left suspended, no filesystem
# frozen, no vss device without its record, no record without its devices,
# and the origins are readable, writable and hold their data.

load lib

setup_file() {
	"$VSS" --fault-points >/dev/null 2>&1 ||
		skip "this vss has no fault injection (configure --enable-fault-injection)"
}

# lib's teardown resumes, deletes the sets (after recovering what a kill
# left) and removes what is left, vss's devices included.

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
	done
	# Both sums in one md5sum, as consistent takes them.
	data_sums=$(md5sum "$BATS_TEST_TMPDIR/ma/data" "$BATS_TEST_TMPDIR/mb/data")
	table_a=$(dmsetup table "${PFX}a")
	table_b=$(dmsetup table "${PFX}b")
}

# The invariants; TABLES=1 also wants both origins' own tables back.
# It runs after every fault point of the sweeps below, so it asks the kernel
# once (one dmsetup info, one dmsetup table) and checks the rest in the
# shell: in the guest every process costs 50-200 ms.
consistent() {
	local name uuid attr d v f k l sums
	local -a suspended=() uuids=() reals=() records=()
	while IFS='|' read -r name uuid attr; do
		[ -n "$name" ] || continue
		name=${name//[[:space:]]/} uuid=${uuid//[[:space:]]/}
		[[ $name == *"$PFX"* && $attr == ??s* ]] && suspended+=("$name")
		uuids+=("$uuid")
		[[ $name =~ ^vss-.*-real$ ]] && reals+=("$name")
	done < <(dmsetup info -c --noheadings --separator '|' -o name,uuid,attr)
	# Nothing suspended.
	assert_equal "${suspended[*]}" ""
	# No filesystem frozen: a write completes, on each (a write to a frozen
	# one blocks until the timeout), and syncs; the data is whole. One
	# process chain for all of it: the probes, one sync of both, the sums.
	# (The timeout only ends the wait for a frozen one: 60 s is room for
	# a loaded guest, and costs nothing when it is not frozen.)
	sums=$(timeout 60 bash -c 'for m; do echo probe >"$m/probe" || exit; done
		sync -f "${@/%//probe}" && exec md5sum "${@/%//data}"' _ \
		"$BATS_TEST_TMPDIR/ma" "$BATS_TEST_TMPDIR/mb") ||
		fail "a probe write, its sync or the checksums did not complete (exit $?): a filesystem left frozen?"
	assert_equal "$sums" "$data_sums"
	# No operation left half done.
	files_under "$VSS_STATE_DIR/journal"
	assert_equal "${FILES[*]}" ""
	[ ! -e "$VSS_RUN_DIR/window" ]
	# The records' lines (as grep -r reads them: every file under sets/).
	files_under "$VSS_STATE_DIR/sets"
	for f in "${FILES[@]}"; do
		while IFS= read -r l || [ -n "$l" ]; do records+=("$l"); done <"$f"
	done
	# Every vss device is named by a set's record...
	for d in "${uuids[@]}"; do
		[[ $d =~ ^VSS-(snap|cow)- ]] || continue
		k=0
		for l in "${records[@]}"; do [[ $l == *"= $d" ]] && { k=1; break; }; done
		[ "$k" = 1 ] || fail "device $d has no record"
	done
	for d in "${reals[@]}"; do
		v=${d#vss-}
		v=${v%-real}
		k=0
		for l in "${records[@]}"; do [ "$l" = "volume = $v" ] && { k=1; break; }; done
		[ "$k" = 1 ] || fail "$d left without shadows"
	done
	# ...and every record's devices exist.
	for f in "$VSS_STATE_DIR"/sets/*.conf; do
		[ -e "$f" ] || continue
		while IFS= read -r l || [ -n "$l" ]; do
			[[ $l == "dm_uuid = "* || $l == "cow_uuid = "* ]] || continue
			uuid=${l#* = }
			k=0
			for d in "${uuids[@]}"; do [ "$d" = "$uuid" ] && { k=1; break; }; done
			[ "$k" = 1 ] || fail "$f: $uuid missing"
		done <"$f"
	done
	if [ "${TABLES:-}" = 1 ]; then
		local ta= tb=
		while IFS= read -r l; do
			case $l in
			"${PFX}a: "*) ta+=${ta:+$'\n'}${l#"${PFX}a: "} ;;
			"${PFX}b: "*) tb+=${tb:+$'\n'}${l#"${PFX}b: "} ;;
			esac
		done < <(dmsetup table)
		assert_equal "$ta" "$table_a"
		assert_equal "$tb" "$table_b"
		# (a directory vss never needed may not exist)
		files_under "$VSS_STATE_DIR/origins" "$VSS_STATE_DIR/storage"
		assert_equal "${FILES[*]}" ""
	fi
	return 0
}

@test "the build names its fault points" {
	run "$VSS" --fault-points
	assert_success
	assert_line create:journal
	assert_line create:suspended
	assert_line delete:origins-restored
}

@test "SIGKILL at every step of create-set: recover undoes the set" {
	# Suite time: with udev, where devices just made and torn down race
	# udev's own opens. Under ASan/UBSan, recover's undo of the same steps is
	# swept by thin.bats (a set of a cow and a thin volume).
	one_build plain "recover after a kill at each create step (thin.bats sweeps a cow and a thin volume under ASan)"
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
	# Suite time (half a minute in the guest): against the ASan/UBSan build,
	# where a leak, a use-after-free or undefined behaviour in the
	# in-process undo after each step fails it. The plain build's run (the
	# one with udev) still kills create-set at every step (the SIGKILL
	# sweep: the same teardown, by recover, of devices just made) and
	# interrupts it (writers.bats: SIGINT while a writer holds freeze, an
	# undo after writers fail at every event; sets.bats: SIGTERM, SIGINT
	# and SIGHUP after an auto-release set was made).
	one_build asan "the in-process undo after each create step, under the sanitizers (the SIGKILL sweep runs with udev)"
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
	# Suite time: the create-set sweep above takes the udev run.
	one_build asan "recover after a kill at each delete step (the create-set sweep runs with udev)"
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
