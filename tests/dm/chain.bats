#!/usr/bin/env bats
# The chain provider: many shadows of one volume, only the newest copied
# out to; each older one reads through the newer ones. Every shadow keeps
# its instant (checksums of the whole device) as sets are made and deleted
# (the oldest, one in the middle, the newest), after a reboot and activate,
# and when a kill cuts a delete or a create short anywhere.

load lib
load sets-lib
load reboot-lib

# A chain of 64 sets, and the kill sweeps, take minutes in a loaded guest:
# the timeout (which is there to stop a hang) gives them room.
BATS_TEST_TIMEOUT=$((${BATS_TEST_TIMEOUT:-0} > 900 ? BATS_TEST_TIMEOUT : 900))

# scribble VOLNAME MB_AT MB: random data written into the volume, direct.
scribble() {
	dd if=/dev/urandom of="${VOLDEV[$1]}" bs=1M seek="$2" count="$3" oflag=direct status=none
}

# hold DEVPATH DMNAME OPENS: a background process holds DEVPATH open ($BG),
# once the kernel counts OPENS opens of DMNAME.
hold() {
	bg bash -c 'exec sleep 600 <"$1"' _ "$1"
	for _ in $(seq 300); do
		(($(dmsetup info -c --noheadings -o open "$2") >= $3)) && return 0
		sleep 0.1
	done
	fail "$1 was never held open"
}

# used SET VOLNAME: the shadow's COW use in bytes, as list shadows --json says.
used() {
	run --separate-stderr "$VSS" list shadows --json
	jq -r --arg s "$1" --arg v "${PFX}$2" \
		'.shadows[] | select(.set == $s and .volume == $v) | ."cow-used"' <<<"$output"
}

# chain_of VOLNAME N: N chained sets of the volume, with writes before each
# and after the last; IDS[k] and SUMS[k] are set k's id and the volume's
# checksum at its instant (k from 1, oldest first).
declare -ga IDS SUMS
chain_of() {
	local k
	IDS=() SUMS=()
	for k in $(seq "$2"); do
		# One region each set rewrites, one all of them do.
		scribble "$1" $((k * 2)) 2
		scribble "$1" 0 1
		SUMS[k]=$(dsum "${VOLDEV[$1]}")
		new_set --provider chain --cow-size "${COW:-12M}" --label "c$k" "${PFX}$1"
		IDS[k]=$SET
	done
	scribble "$1" 0 3
}

# sums_hold VOLNAME K...: each set K's shadow reads as the volume did at
# its instant.
sums_hold() {
	local v=$1 k
	shift
	for k; do
		assert_equal "set $k: $(dsum "$(shadow "${IDS[k]}" "$v")")" "set $k: ${SUMS[k]}"
	done
}

@test "a 6-deep chain: every shadow keeps its instant, only the newest COW grows, each older one reads through the next" {
	mkvol a 32
	chain_of a 6
	sums_hold a 1 2 3 4 5 6
	for k in 1 2 3 4 5 6; do
		assert_equal "$(state_of "${IDS[k]}" a)" valid
	done
	# The volume writes through the newest's base only; each base is on
	# the next newer shadow, the newest's on -real.
	real=$(majmin "vss-${PFX}a-real")
	base6="vss-${IDS[6]:0:8}-${PFX}a-base"
	assert_equal "$(dmsetup table "${PFX}a")" "0 65536 snapshot-origin $(majmin "$base6")"
	assert_equal "$(dmsetup table "$base6")" "0 65536 linear $real 0"
	for k in 1 2 3 4 5; do
		assert_equal "$(dmsetup table "vss-${IDS[k]:0:8}-${PFX}a-base")" \
			"0 65536 linear $(majmin "vss-${IDS[k + 1]:0:8}-${PFX}a") 0"
	done
	# Writes now: only set 6's COW takes them.
	local -a before
	for k in 1 2 3 4 5 6; do before[k]=$(used "${IDS[k]}" a); done
	scribble a 20 4
	for k in 1 2 3 4 5; do
		assert_equal "set $k: $(used "${IDS[k]}" a)" "set $k: ${before[k]}"
	done
	(($(used "${IDS[6]}" a) >= before[6] + 4 * 1048576)) ||
		fail "set 6's COW did not take the 4M written: $(used "${IDS[6]}" a) after ${before[6]}"
	sums_hold a 1 2 3 4 5 6
	# Listings name the provider; the shadows are read-only.
	run --separate-stderr "$VSS" list shadows --json
	assert_equal "$(jq -r '[.shadows[].provider] | unique | join(",")' <<<"$output")" chain
	run blockdev --getro "$(shadow "${IDS[3]}" a)"
	assert_output 1
}

@test "deleting the oldest, a middle and the newest set of a chain: the others keep their instants; the last one gives the volume its own table back" {
	mkvol a 32
	table=$(dmsetup table "${PFX}a")
	chain_of a 6
	vss delete-set "${IDS[1]}"
	assert_success
	sums_hold a 2 3 4 5 6
	# A middle one: its chunks that set 3 lacks go to set 3 first.
	vss delete-set "${IDS[4]}"
	assert_success
	sums_hold a 2 3 5 6
	assert_equal "$(dmsetup table "vss-${IDS[3]:0:8}-${PFX}a-base")" \
		"0 65536 linear $(majmin "vss-${IDS[5]:0:8}-${PFX}a") 0"
	# The newest: set 5 becomes it, and the volume writes through its base.
	vss delete-set "${IDS[6]}"
	assert_success
	sums_hold a 2 3 5
	base5="vss-${IDS[5]:0:8}-${PFX}a-base"
	assert_equal "$(dmsetup table "${PFX}a")" "0 65536 snapshot-origin $(majmin "$base5")"
	assert_equal "$(dmsetup table "$base5")" "0 65536 linear $(majmin "vss-${PFX}a-real") 0"
	# Writes after it reach set 5's COW, and change no shadow.
	scribble a 8 4
	sums_hold a 2 3 5
	# A new newest goes on top, and keeps its own instant.
	SUMS[7]=$(dsum "${VOLDEV[a]}")
	new_set --provider chain --cow-size 12M "${PFX}a"
	IDS[7]=$SET
	scribble a 0 6
	sums_hold a 2 3 5 7
	now=$(dsum "${VOLDEV[a]}")
	vss delete-set --all
	assert_success
	assert_equal "$(dmsetup table "${PFX}a")" "$table"
	assert_equal "$(dsum "${VOLDEV[a]}")" "$now"
	assert_equal "$(vss_devices_of a)" ""
}

@test "activate after a reboot rebuilds a chain from its newest down: every shadow's instant; the chain goes on" {
	mkvol a 32
	file=$(backing_file "${BACKING[a]}")
	chain_of a 6
	now=$(dsum "${VOLDEV[a]}")
	reboot "$file"
	# Before activate, set 1 cannot be given what it reads through set 2.
	before=$(fp)
	vss delete-set "${IDS[2]}"
	assert_failure
	[[ $stderr == *"vss: delete-set: set ${IDS[2]:0:8}: its shadow of ${PFX}a is not active, and the older one of set ${IDS[1]:0:8} reads through it: run vss activate first" ]] ||
		fail "the refusal: $stderr"
	assert_equal "$(fp)" "$before"
	vss activate
	assert_success
	settle
	assert_equal "$(dsum "${VOLDEV[a]}")" "$now"
	sums_hold a 1 2 3 4 5 6
	for k in 1 2 3 4 5 6; do
		assert_equal "$(state_of "${IDS[k]}" a)" valid
	done
	scribble a 4 4
	sums_hold a 1 2 3 4 5 6
	vss delete-set "${IDS[2]}"
	assert_success
	sums_hold a 1 3 4 5 6
	# A second activate finds everything there.
	vss activate
	assert_success
	sums_hold a 1 3 4 5 6
}

@test "chain refusals: a volume with cow shadows, --provider cow on a chained one, another chunk size; nothing changed" {
	mkvol a 32
	mkvol b 32
	new_set --cow-size 12M "${PFX}b"
	chain_of a 2
	before=$(fp)
	vss create-set --provider chain --cow-size 12M "${PFX}b"
	assert_equal "$status" 1
	assert_stderr "vss: create-set: ${PFX}b: its shadows are cow's; a chained shadow cannot join them"
	vss create-set --provider cow --cow-size 12M "${PFX}a"
	assert_equal "$status" 1
	assert_stderr "vss: create-set: ${PFX}a: its shadows are chained (provider chain); a shadow of another kind cannot join them"
	vss create-set --provider chain --chunk-size 4K --cow-size 12M "${PFX}a"
	assert_equal "$status" 2
	assert_stderr "vss: create-set: ${PFX}a: its chain's shadows have chunks of 64K; a new one must too (give --chunk-size 64K, or none)"
	assert_equal "$(fp)" "$before"
	sums_hold a 1 2
	# auto on a chained volume: chain.
	scribble a 0 1
	SUMS[3]=$(dsum "${VOLDEV[a]}")
	new_set --cow-size 12M "${PFX}a"
	IDS[3]=$SET
	run --separate-stderr "$VSS" list shadows --json
	assert_equal "$(jq -r --arg s "$SET" '.shadows[] | select(.set == $s) | .provider' <<<"$output")" chain
	scribble a 0 2
	sums_hold a 1 2 3
}

@test "a shadow in use by a program is not deleted, and a chained one held by its older neighbour's base is" {
	mkvol a 32
	chain_of a 3
	# (Its older neighbour's base holds it too.)
	hold "$(shadow "${IDS[2]}" a)" "vss-${IDS[2]:0:8}-${PFX}a" 2
	vss delete-set "${IDS[2]}"
	kill "$BG"
	wait "$BG" || true
	assert_equal "$status" 1
	assert_stderr "vss: delete-set: /dev/mapper/vss-${IDS[2]:0:8}-${PFX}a: in use (open 1 time), by a backup program perhaps; close it first"
	sums_hold a 1 2 3
	vss delete-set "${IDS[2]}"
	assert_success
	sums_hold a 1 3
}

@test "SIGKILL at every step of deleting a middle and the newest chained set: recover finishes it, every other shadow keeps its instant" {
	"$VSS" --fault-points >/dev/null 2>&1 || skip "this vss has no fault injection (configure --enable-fault-injection)"
	one_build plain "a sweep of kills (the plain build's run)"
	mkvol a 8
	# (COWs the size of the volume: each merge has room for all it gives.)
	COW=8M chain_of a 3
	for point in delete:journal delete:detached chain:merged chain:suspended chain:repointed \
		delete:snapshots-removed delete:origins-restored delete:cow-removed; do
		# A middle one (no suspend: its chain points are not passed).
		if [[ $point != chain:suspended && $point != chain:repointed ]]; then
			VSS_FAULT=$point vss delete-set "${IDS[2]}"
			assert_equal "$status:$point" "137:$point"
			vss recover
			assert_success
			[ ! -e "$VSS_STATE_DIR/sets/${IDS[2]}.conf" ] || fail "$point: set 2 is still there"
			sums_hold a 1 3
		else
			# Not on the way: set 2 goes without it.
			vss delete-set "${IDS[2]}"
			assert_success
		fi
		# The newest.
		VSS_FAULT=$point vss delete-set "${IDS[3]}"
		assert_equal "$status:$point" "137:$point"
		vss recover
		assert_success
		[ ! -e "$VSS_STATE_DIR/sets/${IDS[3]}.conf" ] || fail "$point: set 3 is still there"
		assert_equal "$(dmsetup info -c --noheadings -o attr "${PFX}a")" "L--w"
		scribble a 0 1
		sums_hold a 1
		# Two new ones on top, for the next point.
		for k in 2 3; do
			scribble a $((k * 2)) 1
			SUMS[k]=$(dsum "${VOLDEV[a]}")
			new_set --provider chain --cow-size 8M "${PFX}a"
			IDS[k]=$SET
		done
	done
	sums_hold a 1 2 3
}

@test "SIGKILL at every step of making a chained set: recover undoes it (or keeps it, once committed), every other shadow keeps its instant" {
	"$VSS" --fault-points >/dev/null 2>&1 || skip "this vss has no fault injection (configure --enable-fault-injection)"
	one_build plain "a sweep of kills (the plain build's run)"
	mkvol a 8
	COW=8M chain_of a 2
	for point in $("$VSS" --fault-points | grep '^create:'); do
		scribble a 0 1
		VSS_FAULT=$point vss create-set --provider chain --cow-size 8M "${PFX}a"
		assert_equal "$status:$point" "137:$point"
		vss recover
		assert_success
		[ "$point" = create:committed ] || assert_output --partial "an interrupted create-set was undone"
		assert_equal "$(dmsetup info -c --noheadings -o attr "${PFX}a")" "L--w"
		scribble a 1 1
		sums_hold a 1 2
		if [ "$point" = create:committed ]; then
			vss delete-set "$(ls -t "$VSS_STATE_DIR/sets" | head -1 | sed 's/\.conf$//')"
			assert_success
		fi
	done
	sums_hold a 1 2
}

@test "revert to a middle shadow of a chain: the volume has its data, the shadow leaves its set, every other shadow keeps its instant; to the oldest, then the newest" {
	mkvol a 32
	# (The newest keeps a copy of all each revert overwrites: room for it.)
	COW=24M chain_of a 6
	# In use: scheduled, and done once it is closed.
	hold "${VOLDEV[a]}" "${PFX}a" 1
	holder=$BG
	vss revert --yes "${IDS[3]}"
	assert_success
	assert_output --partial "its revert to set ${IDS[3]:0:8} is scheduled"
	sums_hold a 1 2 3 4 5 6
	kill "$holder"
	wait "$holder" || true
	vss recover
	assert_success
	assert_output --partial "${PFX}a: reverted to set ${IDS[3]:0:8}"
	assert_equal "$(dsum "${VOLDEV[a]}")" "${SUMS[3]}"
	[ ! -e "$VSS_STATE_DIR/sets/${IDS[3]}.conf" ] || fail "set 3 is still there"
	sums_hold a 1 2 4 5 6
	# Writes after it go to the newest as before.
	scribble a 0 2
	sums_hold a 1 2 4 5 6
	# The oldest, then the newest: each at once.
	vss revert --yes "${IDS[1]}"
	assert_success
	assert_equal "$(dsum "${VOLDEV[a]}")" "${SUMS[1]}"
	sums_hold a 2 4 5 6
	vss revert --yes "${IDS[6]}"
	assert_success
	assert_equal "$(dsum "${VOLDEV[a]}")" "${SUMS[6]}"
	sums_hold a 2 4 5
	base5="vss-${IDS[5]:0:8}-${PFX}a-base"
	assert_equal "$(dmsetup table "${PFX}a")" "0 65536 snapshot-origin $(majmin "$base5")"
	# A kill once the data is written back, and a reboot before any other
	# command: activate brings the chain back, then does the revert again.
	file=$(backing_file "${BACKING[a]}")
	VSS_FAULT=chain:reverted vss revert --yes "${IDS[2]}"
	assert_equal "$status" 137
	reboot "$file"
	vss activate
	assert_success
	assert_output --partial "${PFX}a: reverted to set ${IDS[2]:0:8}"
	assert_equal "$(dsum "${VOLDEV[a]}")" "${SUMS[2]}"
	sums_hold a 4 5
	vss revert --yes "${IDS[5]}"
	assert_success
	assert_equal "$(dsum "${VOLDEV[a]}")" "${SUMS[5]}"
	sums_hold a 4
	# The last: the volume gets its own table back.
	vss revert --yes "${IDS[4]}"
	assert_success
	assert_equal "$(dsum "${VOLDEV[a]}")" "${SUMS[4]}"
	assert_equal "$(vss_devices_of a)" ""
}

@test "a revert whose overwrites the newest COW cannot keep is refused before anything is written" {
	mkvol a 32
	scribble a 0 32
	SUMS[1]=$(dsum "${VOLDEV[a]}")
	new_set --provider chain --chunk-size 4K --cow-size 12M "${PFX}a"
	IDS[1]=$SET
	scribble a 0 10
	SUMS[2]=$(dsum "${VOLDEV[a]}")
	new_set --provider chain --chunk-size 4K --cow-size 2M "${PFX}a"
	IDS[2]=$SET
	now=$(dsum "${VOLDEV[a]}")
	before=$(fp)
	vss revert --yes "${IDS[1]}"
	assert_equal "$status" 1
	assert_stderr "vss: revert: ${PFX}a: the revert overwrites 2560 chunks whose data the newest shadow (/dev/mapper/vss-${IDS[2]:0:8}-${PFX}a) must keep first (10M), and its COW has 2M left: delete that set first"
	assert_equal "$(fp)" "$before"
	assert_equal "$(dsum "${VOLDEV[a]}")" "$now"
	sums_hold a 1 2
}

# conf LINE...: the configuration file of the test.
conf() {
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf
	printf '%s\n' "[vss]" "$@" >"$VSS_CONFIG"
	chmod 0644 "$VSS_CONFIG"
}

@test "the newest COW of a chain overflows (on_full = refuse): every shadow of the chain says invalid and why, the volume keeps its data; the sets go oldest first" {
	mkvol a 32
	chain_of a 3
	scribble a 0 16
	now=$(dsum "${VOLDEV[a]}")
	assert_equal "$(state_of "${IDS[3]}" a)" invalid
	for k in 1 2; do
		assert_equal "$(state_of "${IDS[k]}" a)" invalid
		run --separate-stderr "$VSS" list shadows --json
		assert_equal "$(jq -r --arg s "${IDS[k]}" '.shadows[] | select(.set == $s) | .why' <<<"$output")" \
			"it reads through /dev/mapper/vss-${IDS[3]:0:8}-${PFX}a, whose COW overflowed (or failed): it no longer holds the data of its instant"
	done
	vss monitor --once
	assert_failure 6
	# Taken out first, it would leave the older ones reading through set 2
	# as if valid: refused, nothing changed.
	before=$(fp)
	vss delete-set "${IDS[3]}"
	assert_failure
	# (After the warnings every listing of an invalid shadow gives.)
	[[ $stderr == *"vss: delete-set: /dev/mapper/vss-${IDS[3]:0:8}-${PFX}a: its COW overflowed, and the older shadows of ${PFX}a (/dev/mapper/vss-${IDS[2]:0:8}-${PFX}a the newest of them), which read through it, are lost with it: delete their sets first, oldest first" ]] ||
		fail "the refusal: $stderr"
	assert_equal "$(fp)" "$before"
	# Oldest first (as --all goes), each is deleted.
	vss delete-set --all
	assert_success
	assert_equal "$(dsum "${VOLDEV[a]}")" "$now"
	assert_equal "$(vss_devices_of a)" ""
}

@test "the newest COW of a chain filling (on_full = delete-oldest): the monitor deletes the chain's sets, oldest first, before it overflows; the volume keeps its data" {
	mkvol a 32
	conf "on_full = delete-oldest" "warn_at = 50%" "full_at = 80%"
	chain_of a 3
	bg "$VSS" monitor --interval 1 2>"$BATS_TEST_TMPDIR/monitor.log"
	mon=$BG
	scribble a 4 8
	# (Minutes: a loaded guest's monitor under ASan is slow.)
	for _ in $(seq 480); do
		[ -z "$(set_ids)" ] && break
		sleep 0.5
	done
	kill -TERM "$mon"
	wait "$mon" || true
	assert_equal "$(set_ids)" ""
	log=$(cat "$BATS_TEST_TMPDIR/monitor.log")
	for k in 1 2 3; do
		[[ $log == *"vss: warning: deleted set ${IDS[k]:0:8} (c$k) (made "* ]] || fail "set $k: the monitor's log: $log"
	done
	[[ $log != *invalid* ]] || fail "a shadow went invalid: $log"
	assert_equal "$(dmsetup table "${PFX}a" | awk '{print $3}')" linear
}

@test "a delete whose older neighbour has no room for what it reads through the set is refused before anything is changed" {
	mkvol a 32
	SUMS[1]=$(dsum "${VOLDEV[a]}")
	new_set --provider chain --chunk-size 4K --cow-size 2M "${PFX}a"
	IDS[1]=$SET
	SUMS[2]=$(dsum "${VOLDEV[a]}")
	new_set --provider chain --chunk-size 4K --cow-size 12M "${PFX}a"
	IDS[2]=$SET
	scribble a 0 8
	before=$(fp)
	vss delete-set "${IDS[2]}"
	assert_equal "$status" 1
	[[ $stderr =~ ^"vss: delete-set: /dev/mapper/vss-${IDS[1]:0:8}-${PFX}a, the older shadow that reads through this one, must take 2048 chunks of it ("[0-9.]+"M), and its COW has "[0-9.]+[KM]?" left: delete the older set first"$ ]] ||
		fail "the refusal: $stderr"
	assert_equal "$(fp)" "$before"
	sums_hold a 1 2
	# The older one first: then this one goes, with nothing to give.
	vss delete-set "${IDS[1]}"
	assert_success
	vss delete-set "${IDS[2]}"
	assert_success
	assert_equal "$(vss_devices_of a)" ""
}

@test "a mounted volume's chain: expose shows each shadow's files of its instant; an exposed one is deleted only with --force; a long merge reports its progress" {
	mkvol a 64
	mkfs_mount a
	local -a trees
	for k in 1 2 3; do
		fill_files "${MNT[a]}" $((k * 4))
		echo "set $k" >"${MNT[a]}/which"
		sync -f "${MNT[a]}"
		trees[k]=$(tree_sum "${MNT[a]}")
		new_set --provider chain --cow-size 40M "${PFX}a"
		IDS[k]=$SET
	done
	rm -rf "${MNT[a]}/d"
	for k in 1 2 3; do
		vss expose "${IDS[k]}"
		assert_success
		assert_equal "set $k: $(tree_sum "$VSS_RUN_DIR/${IDS[k]:0:8}/${PFX}a")" "set $k: ${trees[k]}"
		assert_equal "$(cat "$VSS_RUN_DIR/${IDS[k]:0:8}/${PFX}a/which")" "set $k"
	done
	vss delete-set "${IDS[2]}"
	assert_failure
	assert_stderr "vss: delete-set: ${IDS[2]:0:8}: exposed on $VSS_RUN_DIR/${IDS[2]:0:8}/${PFX}a; unexpose it first or use --force"
	vss delete-set --force "${IDS[2]}"
	assert_success
	assert_equal "$(tree_sum "$VSS_RUN_DIR/${IDS[1]:0:8}/${PFX}a")" "${trees[1]}"
	assert_equal "$(tree_sum "$VSS_RUN_DIR/${IDS[3]:0:8}/${PFX}a")" "${trees[3]}"
	vss unexpose "${IDS[1]}"
	assert_success
	vss unexpose "${IDS[3]}"
	assert_success
	# 24M rewritten after set 3, which the next one lacks: they go to set 1
	# when set 3 goes, with progress.
	dd if=/dev/urandom of="${MNT[a]}/big" bs=1M count=24 oflag=direct status=none
	vss delete-set "${IDS[3]}"
	assert_success
	assert_output --regexp "vss-${IDS[3]:0:8}-${PFX}a: 50% of [0-9]+ chunks copied to /dev/mapper/vss-${IDS[1]:0:8}-${PFX}a"
	assert_output --regexp "vss-${IDS[3]:0:8}-${PFX}a: 100% of [0-9]+ chunks copied to /dev/mapper/vss-${IDS[1]:0:8}-${PFX}a"
	vss expose "${IDS[1]}"
	assert_success
	assert_equal "$(tree_sum "$VSS_RUN_DIR/${IDS[1]:0:8}/${PFX}a")" "${trees[1]}"
}

@test "64 shadows in a chain: the oldest reads its instant through all of them; a 65th is refused" {
	one_build plain "64 sets of one volume take minutes in the guest (the plain build's run)"
	mkvol a 16
	# (Else max_sets_per_volume, 64 by default too, refuses the 65th first.)
	conf "max_sets_per_volume = 0"
	IDS=() SUMS=()
	for k in $(seq 64); do
		dd if=/dev/urandom of="${VOLDEV[a]}" bs=4K seek=$((k * 16)) count=4 oflag=direct status=none
		((k == 1 || k == 32 || k == 64)) && SUMS[k]=$(dsum "${VOLDEV[a]}")
		new_set --provider chain --cow-size 2M "${PFX}a"
		IDS[k]=$SET
	done
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=1 oflag=direct status=none
	sums_hold a 1 32 64
	before=$(fp)
	vss create-set --provider chain --cow-size 2M "${PFX}a"
	assert_equal "$status" 2
	assert_stderr "vss: create-set: ${PFX}a: its chain has 64 shadows, as many as a chain holds; delete a set of it first"
	assert_equal "$(fp)" "$before"
}

@test "a chain mixed into sets with a thin volume: both kinds keep their instants as sets are made and deleted" {
	POOLDEV=$(mkloop 96)
	vss volume import --thin 32M "$POOLDEV" "${PFX}t"
	[ "$status" = 0 ] || fail "volume import --thin: $stderr"
	settle
	VOLDEV[t]=/dev/mapper/${PFX}t
	mkvol a 32
	dd if=/dev/urandom of="${VOLDEV[t]}" bs=1M count=32 oflag=direct status=none
	# The first chained shadow of a is asked for; then auto keeps a chained
	# and takes thin for t.
	COW=8M chain_of a 1
	local -a tsums
	for k in 2 3 4; do
		scribble a $((k * 2)) 2
		dd if=/dev/urandom of="${VOLDEV[t]}" bs=1M seek=$((k * 2)) count=2 oflag=direct status=none
		SUMS[k]=$(dsum "${VOLDEV[a]}")
		tsums[k]=$(dsum "${VOLDEV[t]}")
		new_set --cow-size 8M "${PFX}a" "${PFX}t"
		IDS[k]=$SET
		run --separate-stderr "$VSS" list shadows --json
		assert_equal "$(jq -r --arg s "$SET" '[.shadows[] | select(.set == $s) | .provider] | sort | join(",")' <<<"$output")" chain,thin
	done
	scribble a 0 4
	dd if=/dev/urandom of="${VOLDEV[t]}" bs=1M count=4 oflag=direct status=none
	sums_hold a 1 2 3 4
	for k in 2 3 4; do
		assert_equal "set $k: $(dsum "$(shadow "${IDS[k]}" t)")" "set $k: ${tsums[k]}"
	done
	vss delete-set "${IDS[3]}"
	assert_success
	sums_hold a 1 2 4
	for k in 2 4; do
		assert_equal "set $k: $(dsum "$(shadow "${IDS[k]}" t)")" "set $k: ${tsums[k]}"
	done
	vss delete-set --all
	assert_success
	assert_equal "$(vss_devices_of a)" ""
}
