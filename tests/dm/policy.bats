#!/usr/bin/env bats
# The storage policy (max_sets_per_volume, storage_max, on_full), the
# monitor that applies it before a shadow overflows, and prune.

load lib
load sets-lib

# conf LINE...: vss.conf for this test ([vss] first), mode 0644.
conf() {
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf
	printf '%s\n' "[vss]" "$@" >"$VSS_CONFIG"
	chmod 0644 "$VSS_CONFIG"
}

# ids_are ID...: the sets that exist are exactly these.
ids_are() {
	assert_equal "$(set_ids)" "$(printf '%s\n' "$@" | sort)"
}

# write_mb VOLUME OFFSET_MB MB: MB MiB of new data into the volume at OFFSET_MB.
write_mb() {
	dd if=/dev/urandom of="${VOLDEV[$1]}" bs=1M seek="$2" count="$3" oflag=direct conv=notrunc status=none
}

# use_of SET VOLUME: the shadow's COW use in percent, as the monitor counts it.
use_of() {
	local used total
	read -r used total < <(dmsetup status "vss-${1:0:8}-${PFX}$2" | awk '{split($4, a, "/"); print a[1], a[2]}')
	echo $((used * 100 / total))
}

@test "max_sets_per_volume: refuse is exit 4 and changes nothing; delete-oldest deletes the volume's oldest deletable set, said in a warning" {
	# Suite time: vss's own counting, no race with udev; the storage_max
	# and prune tests below take the ASan/UBSan run's deleting.
	one_build plain "the policy's counting (storage_max and prune run under ASan)"
	mkvol a 16
	mkvol b 16
	mkfs.ext4 -q -F "${VOLDEV[a]}"
	conf "max_sets_per_volume = 2"
	new_set "${PFX}a"; s1=$SET
	new_set "${PFX}b"; sb=$SET
	new_set "${PFX}a"; s2=$SET
	before=$(fp)
	vss create-set "${PFX}a"
	assert_failure 4
	assert_output ""
	assert_stderr "vss: create-set: ${PFX}a: it has 2 sets, the most max_sets_per_volume allows; delete some (vss prune, delete-set --oldest) or set on_full = delete-oldest"
	assert_equal "$(fp)" "$before"
	# b has room: the limit is each volume's.
	new_set "${PFX}b"; sb2=$SET

	conf "max_sets_per_volume = 2" "on_full = delete-oldest"
	new_set --label third "${PFX}a"; s3=$SET
	[[ $stderr =~ ^"vss: warning: deleted set ${s1:0:8} (made "[0-9-]+" "[0-9:]+"): ${PFX}a had 2 sets, the most max_sets_per_volume allows; on_full = delete-oldest"$ ]] ||
		fail "no warning naming the deleted set: $stderr"
	ids_are "$sb" "$s2" "$s3" "$sb2"
	[ -z "$(vss_devices_of a | grep "${s1:0:8}")" ] || fail "devices of the deleted set are left"
	# The oldest is exposed (mounted): the next one goes instead, and the
	# warning names it with its label.
	mp=$BATS_TEST_TMPDIR/mp
	mkdir "$mp"
	vss expose "$s2" "$mp"
	[ "$status" = 0 ] || fail "expose: $stderr"
	new_set "${PFX}a"; s4=$SET
	[[ $stderr == "vss: warning: deleted set ${s3:0:8} (third) (made "*"; on_full = delete-oldest" ]] ||
		fail "not the exposed set's successor: $stderr"
	ids_are "$sb" "$s2" "$s4" "$sb2"
	# Nothing deletable left but the set made by the session (auto-release),
	# besides the exposed one: refused, exit 4, nothing deleted.
	vss delete-set "$s4"
	assert_success
	before=$(fp)
	vss -c "create-set --context auto-release ${PFX}a; create-set ${PFX}a"
	assert_failure 4
	[[ $stderr == *"vss: create-set: ${PFX}a: it has 2 sets, the most max_sets_per_volume allows, and none of them can be deleted (the others are in use, exposed, being reverted or auto-release)"* ]] ||
		fail "unexpected: $stderr"
	ids_are "$sb" "$s2" "$sb2"
	vss unexpose "$s2"
	assert_success
}

@test "storage_max: refuse is exit 4; delete-oldest deletes the fewest oldest sets that make the room, and none when nothing could" {
	# Suite time: max_sets_per_volume takes the udev run.
	one_build asan "the policy's weighing, under the sanitizers (max_sets_per_volume runs with udev)"
	mkvol a 32
	mkvol b 32
	conf "storage_max = 6M"
	new_set --cow-size 2M "${PFX}a"; s1=$SET
	new_set --cow-size 2M "${PFX}b"; sb=$SET
	new_set --cow-size 2M "${PFX}a"; s2=$SET
	vss list storage
	assert_success
	assert_line "policy: storage_max 6M (6M used), on_full refuse, max_sets_per_volume 64"
	vss list storage --json
	assert_equal "$(jq -r '.storage[0].free' <<<"$output")" 0
	before=$(fp)
	vss create-set --cow-size 2M "${PFX}a"
	assert_failure 4
	assert_stderr "vss: create-set: storage full: the shadow of ${PFX}a needs 2M; storage_max (6M) leaves 0B"
	assert_equal "$(fp)" "$before"

	conf "storage_max = 6M" "on_full = delete-oldest"
	# More than storage_max could ever give: nothing is deleted.
	vss create-set --cow-size 8M "${PFX}a"
	assert_failure 4
	assert_stderr "vss: create-set: storage full: the shadow of ${PFX}a needs 8M; storage_max (6M) leaves 0B (and deleting every set on_full may delete would not make the room)"
	assert_equal "$(fp)" "$before"
	# 4M: two sets must go, a's two oldest (a's before b's).
	new_set --cow-size 4M "${PFX}a"; s3=$SET
	assert_equal "${#stderr_lines[@]}" 2
	[[ ${stderr_lines[0]} == "vss: warning: deleted set ${s1:0:8} (made "*"): storage full: the shadow of ${PFX}a needs 4M; storage_max (6M) leaves 0B; on_full = delete-oldest" ]] ||
		fail "first warning: $stderr"
	[[ ${stderr_lines[1]} == "vss: warning: deleted set ${s2:0:8} "* ]] || fail "second warning: $stderr"
	ids_are "$sb" "$s3"
	vss list storage
	assert_line "policy: storage_max 6M (6M used), on_full delete-oldest, max_sets_per_volume 64"
	# b's set is older now than a's: a new set of b makes it go.
	new_set --cow-size 2M "${PFX}b"; sb2=$SET
	[[ $stderr == "vss: warning: deleted set ${sb:0:8} "* ]] || fail "$stderr"
	ids_are "$s3" "$sb2"
}

@test "monitor: warns at warn_at, deletes the oldest set at full_at before its shadow overflows (as a service too); with refuse it warns, then says the shadow became invalid, once" {
	mkvol a 32
	sum0=$(dsum "${VOLDEV[a]}")
	conf "on_full = delete-oldest" "warn_at = 50%" "full_at = 80%"
	new_set --cow-size 4M "${PFX}a"; s1=$SET
	new_set --cow-size 16M "${PFX}a"; s2=$SET
	# 2.5M of changes: about 63% of the 4M COW, below full_at.
	write_mb a 0 2
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=512K seek=4 count=1 oflag=direct conv=notrunc status=none
	pct=$(use_of "$s1" a)
	[ "$pct" -ge 50 ] && [ "$pct" -lt 80 ] || fail "the test's arithmetic: $pct%"
	vss monitor --once
	assert_success
	assert_output ""
	assert_stderr "vss: warning: set ${s1:0:8}, shadow of ${PFX}a: $pct% full ($(vss_size "$s1") of 4M)"
	ids_are "$s1" "$s2"

	# As the service does: running, while the writes go on.
	bg "$VSS" monitor --interval 1 2>"$BATS_TEST_TMPDIR/monitor.log"
	mon=$BG
	write_mb a 3 1
	# (At least two minutes: a loaded guest's monitor under ASan is slow.)
	for _ in $(seq 240); do
		[ "$(set_ids)" = "$s2" ] && break
		sleep 0.5
	done
	ids_are "$s2"
	# It ends as every vss does on SIGTERM: of that signal, after a clean stop.
	kill -TERM "$mon"
	st=0
	wait "$mon" || st=$?
	assert_equal "$st" 143
	log=$(cat "$BATS_TEST_TMPDIR/monitor.log")
	# (Its first look may come before the writes, or after.)
	[[ $log =~ ^("vss: warning: set ${s1:0:8}, shadow of ${PFX}a: "[0-9]+"% full ("[^$'\n']*$'\n')?"vss: warning: deleted set ${s1:0:8} (made "[^$'\n']*"): its shadow of ${PFX}a was "(8[0-9]|9[0-9])"% full; on_full = delete-oldest"$ ]] ||
		fail "the monitor's log: $log"
	# The set that stayed is whole: its shadow reads as the volume was.
	assert_equal "$(dsum "$(shadow "$s2" a)")" "$sum0"
	assert_equal "$(jq -r '.shadows[] | [.set, .state] | join(" ")' < <("$VSS" list shadows --json))" "$s2 valid"

	# refuse: a warning at full_at, then, once it overflowed, invalid - each once.
	# (s2 has taken every write since: 56% of its 16M by the end, under 60%.)
	conf "on_full = refuse" "warn_at = 60%" "full_at = 80%"
	new_set --cow-size 4M "${PFX}a"; s3=$SET
	write_mb a 8 3
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=512K seek=22 count=1 oflag=direct conv=notrunc status=none
	pct=$(use_of "$s3" a)
	[ "$pct" -ge 80 ] || fail "the test's arithmetic: $pct%"
	vss monitor --once
	assert_success
	assert_stderr "vss: warning: set ${s3:0:8}, shadow of ${PFX}a: $pct% full ($(vss_size "$s3") of 4M): it becomes invalid when full (on_full = refuse)"
	ids_are "$s2" "$s3"
	write_mb a 12 2
	# An invalid shadow is trouble a check from cron must see: exit 6.
	vss monitor --once
	assert_failure 6
	assert_output ""
	assert_stderr "vss: warning: set ${s3:0:8}, shadow of ${PFX}a: invalid: its COW storage overflowed (or failed): it no longer holds the data of its instant
vss: monitor: 1 shadow or pool needs attention (see the warnings above)"
	bg "$VSS" monitor --interval 1 2>"$BATS_TEST_TMPDIR/monitor2.log"
	# Its first look says it (however late a loaded guest gets there);
	# the next ones, a second apart, must not.
	for _ in $(seq 600); do
		grep -q invalid "$BATS_TEST_TMPDIR/monitor2.log" && break
		sleep 0.1
	done
	sleep 3.5
	kill -TERM "$BG"
	wait "$BG" || true
	run grep -c "invalid" "$BATS_TEST_TMPDIR/monitor2.log"
	assert_output 1
}

# vss_size SET: its shadow of a's COW use as vss prints sizes.
vss_size() {
	local used
	used=$(dmsetup status "vss-${1:0:8}-${PFX}a" | awk '{split($4, a, "/"); print a[1] * 512}')
	human_size "$used"
}

@test "prune --dry-run lists exactly what prune deletes; list sets says which rule keeps each set; exposed and auto-release sets stay" {
	# Suite time: retention is vss's own arithmetic (tests/unit too).
	one_build asan "the retention rules, under the sanitizers (tests/unit/test-retention in both builds)"
	mkvol a 16
	mkvol b 16
	mkfs.ext4 -q -F "${VOLDEV[a]}"
	local -a sa=()
	for n in 1 2 3 4 5; do new_set "${PFX}a"; sa[n]=$SET; done
	new_set "${PFX}b"; b1=$SET
	new_set "${PFX}b"; b2=$SET
	mp=$BATS_TEST_TMPDIR/mp
	mkdir "$mp"
	vss expose "${sa[1]}" "$mp"
	[ "$status" = 0 ] || fail "expose: $stderr"
	# No rule at all is nothing to do, and no failure (the shipped timer
	# runs prune before any rule is written); nothing changes.
	before=$(fp)
	for rule in "" "--keep-last 0"; do
		# shellcheck disable=SC2086 # no rule, or one, as words
		vss prune $rule
		assert_success
		assert_output "nothing to prune: no retention rule (keep_* in /etc/vss/vss.conf, or --keep-last and the like)"
		assert_equal "$stderr" ""
	done
	vss prune --json
	assert_success
	assert_equal "$(jq -c . <<<"$output")" '{"sets":[]}'
	assert_equal "$(fp)" "$before"

	conf "keep_last = 2"
	vss list sets
	assert_success
	assert_line --index 0 --regexp '^SET +CREATED +LABEL +CONTEXT +VOLUMES +STATE +KEEP$'
	for k in "${sa[1]}:exposed" "${sa[2]}:prune" "${sa[3]}:prune" "${sa[4]}:last" "${sa[5]}:last" "$b1:last" "$b2:last"; do
		assert_line --regexp "^${k:0:8} .* ${k#*:}\$"
	done
	vss list sets --json
	assert_success
	assert_equal "$(jq -r '[.sets[] | .keep] | join(",")' <<<"$output")" \
		"exposed,prune,prune,last,last,last,last"

	before=$(fp)
	vss prune --dry-run
	assert_success
	dry=$output
	assert_equal "$dry" "would delete ${sa[2]}
would delete ${sa[3]}"
	assert_equal "$(fp)" "$before"
	vss prune --dry-run --json
	dry_ids=$(jq -r '.sets[].id' <<<"$output")
	# One more set of b, made by this session and auto-release: kept, not counted.
	vss -c "create-set --context auto-release ${PFX}b; prune"
	assert_success
	[[ $output =~ Set:[[:space:]]+($UUID_RE) ]] || fail "no auto-release set: $output"
	ar=${BASH_REMATCH[1]}
	# prune's, then the session's end deleting its auto-release set.
	real=$(grep '^deleted ' <<<"$output")
	assert_equal "$real" "${dry//would delete/deleted}
deleted $ar"
	assert_equal "$(printf '%s\n' "${sa[2]}" "${sa[3]}")" "$dry_ids"
	ids_are "${sa[1]}" "${sa[4]}" "${sa[5]}" "$b1" "$b2"
	vss prune
	assert_success
	assert_output "nothing to prune: the retention rules keep every set"
	# Options replace the file's rules: the newest of each volume.
	vss prune --keep-last 1 --json
	assert_success
	assert_equal "$(jq -r '.sets[].id' <<<"$output")" "${sa[4]}
$b1"
	ids_are "${sa[1]}" "${sa[5]}" "$b2"
	vss unexpose "${sa[1]}"
	assert_success
}
