#!/usr/bin/env bats
# Writers around the freeze window: the sequence, every way a
# writer can fail at every event, the freeze window's bound, hooks, which
# writers join a set, and what a writer sees.

load lib
load sets-lib
load writers-lib

EVENTS="identify prepare-backup prepare-snapshot freeze thaw post-snapshot"

# writer_json NAME FIELD: FIELD of writer NAME in list writers --json.
writer_json() {
	local json
	json=$("$VSS" list writers --json) || fail "list writers --json failed"
	jq -r --arg n "$1" --arg f "$2" '.writers[] | select(.name == $n) | .[$f] | tostring' <<<"$json"
}

# reason TYPE MODE EVENT: the reason vss gives for MODE at EVENT (a hanging
# writer's timeout HANG_S; retries 1: two attempts).
reason() {
	local t=$1 m=$2 e=$3
	case $t:$m in
	exec:fail) echo "exited with status 1: told to fail at $e" ;;
	exec:retry-fail) echo "exited with status 75: busy at $e (retryable; gave up after 2 attempts)" ;;
	exec:hang) echo "did not finish $e within its timeout ($HANG_S.0 s): stopped" ;;
	exec:crash) echo "killed by SIGSEGV" ;;
	coprocess:fail) echo "told to fail at $e" ;;
	coprocess:retry-fail) echo "busy at $e (retryable; gave up after 2 attempts)" ;;
	coprocess:hang) echo "did not answer $e within its timeout ($HANG_S.0 s): stopped" ;;
	coprocess:crash) echo "killed by SIGSEGV before answering" ;;
	coprocess:close) echo "closed its stdout" ;;
	coprocess:garbage) echo "answered 'HELLO $e', not OK or ERROR" ;;
	esac
}

EXEC_MODES="fail retry-fail hang crash retry-ok"
COPROC_MODES="fail retry-fail hang crash close garbage retry-ok"

# One writer of each type for each way to misbehave, named for it (x-hang,
# c-garbage): they all misbehave at once, at the one event FW_AT.
# The hanging writers' timeout, waited out once an event. Short, as it
# costs the test that much an event, but not too short: the hanging writers
# must still answer every event before the one they hang at within it, while
# twelve writers start at once on one loaded vCPU under ASan (2 s was seen
# to fall short at identify).
HANG_S=6

# every_way_conf [HANG-TIMEOUT]: the writers, the hanging ones with
# HANG-TIMEOUT (default HANG_S).
every_way_conf() {
	local m t lines=("[vss]" "freeze_timeout = 120") hang=${1:-$HANG_S}
	# Twelve writers start at once in a slow guest: only the hanging ones,
	# which wait their timeout out, get a short one; the others 60 s, and
	# the freeze window 120 s (at freeze it holds them all, retries
	# included, and it is not what this test times).
	for m in $EXEC_MODES; do
		t=60 && [ "$m" = hang ] && t=$hang
		lines+=("[writer x-$m]" "command = $(writer "x-$m")" "volumes = ${MNT[a]}" "timeout = $t" "retries = 1")
	done
	for m in $COPROC_MODES; do
		t=60 && [ "$m" = hang ] && t=$hang
		lines+=("[writer c-$m]" "type = coprocess" "command = $(writer "c-$m")" "volumes = ${MNT[a]}"
			"timeout = $t" "retries = 1")
	done
	conf "${lines[@]}"
}

# snapshot_all: every writer's state, failure and timings (one list writers
# and one jq), and every writer's events (the log read once), into the
# arrays WSTATE, WFEV, WRETRY, WWHY, WTIME and WEVENTS, keyed by name.
declare -gA WSTATE WFEV WRETRY WWHY WTIME WEVENTS
snapshot_all() {
	local json name state fev retry why timings n e
	WSTATE=() WFEV=() WRETRY=() WWHY=() WTIME=() WEVENTS=()
	json=$("$VSS" list writers --json) || fail "list writers --json failed"
	while IFS=$'\t' read -r name state fev retry why timings; do
		WSTATE[$name]=$state WFEV[$name]=$fev WRETRY[$name]=$retry WWHY[$name]=$why WTIME[$name]=$timings
	done < <(jq -r '.writers[] | [.name, .state, (.["failed-event"] | tostring), (.["failed-retryable"] | tostring),
		(.["failed-reason"] | tostring), (.timings | tostring)] | @tsv' <<<"$json")
	while read -r n e _; do
		WEVENTS[$n]="${WEVENTS[$n]:+${WEVENTS[$n]} }$e"
	done <"$FW_LOG"
}

# check_writer NAME TYPE MODE EVENT: after a set aborted at EVENT, what
# writer NAME (misbehaving as MODE) went through, and what vss says of it
# (from snapshot_all).
check_writer() {
	local name=$1 type=$2 mode=$3 ev=$4 want ms evs
	evs=" ${WEVENTS[$name]:-} "
	if [ "$mode" = retry-ok ]; then
		# Tried again, answered OK, then told abort with the others.
		[[ $evs == *" $ev $ev "* ]] || fail "$name was not tried twice at $ev: $evs"
		assert_equal "${WSTATE[$name]}:${WFEV[$name]}:$name" "stable:null:$name"
		[[ $evs == *" abort "* ]] || fail "$name was not told abort: $evs"
		return
	fi
	want=$(reason "$type" "$mode" "$ev")
	# x-fail's is the command's error (the last line); the others warnings.
	if [ "$name" != x-fail ]; then
		[[ $'\n'"$stderr"$'\n' == *$'\n'"vss: warning: writer $name: $ev failed too: $want"$'\n'* ]] ||
			fail "no warning for $name at $ev: $stderr"
	fi
	assert_equal "${WSTATE[$name]}:${WFEV[$name]}:$name:$ev" "failed:$ev:$name:$ev"
	assert_equal "${WWHY[$name]}" "$want"
	assert_equal "${WRETRY[$name]}:$name" "$([ "$mode" = retry-fail ] && echo true || echo false):$name"
	# Told abort, unless it had to be stopped (a coprocess out of step).
	case $type:$mode in
	coprocess:hang | coprocess:crash | coprocess:close | coprocess:garbage)
		[[ $evs != *" abort "* ]] || fail "$name was told abort after being stopped" ;;
	*)
		[[ $evs == *" abort "* ]] || fail "$name ($mode at $ev) was not told abort: $evs" ;;
	esac
	# A hung writer is stopped at its timeout (HANG_S), SIGTERM ending it at
	# once: what vss timed of that event is the timeout and a little more
	# (up to seconds more in a guest sharing the host's CPUs with another,
	# under ASan). The bound tells a stop at the timeout from none at all:
	# unstopped, the hang would last 60 s; 30 s is half that, and five
	# times the timeout for a loaded guest's lateness.
	if [ "$mode" = hang ]; then
		[[ ${WTIME[$name]} =~ (^|, )$ev\ ([0-9]+)ms ]] && ms=${BASH_REMATCH[2]}
		[ "${ms:-0}" -ge $((HANG_S * 1000)) ] && [ "$ms" -lt 30000 ] || fail "$name hung at $ev for ${ms:-?} ms (timeout $HANG_S s)"
	fi
}

@test "writers of both types fail, fail retryably, hang, crash, close stdout or answer garbage at every event: aborted, exit 3, each failed at that event" {
	# The suite's costliest test: once a tests/run, where a failure path's
	# memory error would show (the plain run has every other writer test).
	one_build asan "every failure path of every writer event, under the sanitizers"
	wsetup
	every_way_conf
	BEFORE=$(wfp)
	for ev in $EVENTS; do
		rm -f "$FW_LOG" "$FW_LOG".tried-*
		FW_AT=$ev FW_MODE=by-name vss create-set "${PFX}a"
		assert_equal "$status:$ev" "3:$ev"
		# 10 writers fail: 9 warnings, then the command's error.
		assert_equal "${#stderr_lines[@]}:$ev" "10:$ev"
		assert_equal "${stderr_lines[9]}" "vss: create-set: writer x-fail: $ev: $(reason exec fail "$ev")"
		snapshot_all
		for m in $EXEC_MODES; do check_writer "x-$m" exec "$m" "$ev"; done
		for m in $COPROC_MODES; do check_writer "c-$m" coprocess "$m" "$ev"; done
		assert_equal "$(wfp)" "$BEFORE"
		assert_equal "$(set_ids)" ""
		not_frozen
	done
	# Every writer failing retryably once, at identify or at freeze: the
	# set is made. (None hangs here: every timeout ample.)
	every_way_conf 60
	for ev in identify freeze; do
		rm -f "$FW_LOG" "$FW_LOG".tried-*
		FW_AT=$ev FW_MODE=retry-ok vss create-set "${PFX}a"
		assert_equal "$status:$ev:$stderr" "0:$ev:"
		snapshot_all
		for m in $EXEC_MODES; do
			[[ " ${WEVENTS[x-$m]} " == *" $ev $ev "* ]] || fail "x-$m not tried twice at $ev: ${WEVENTS[x-$m]}"
		done
		want="identify prepare-backup prepare-snapshot freeze thaw post-snapshot eof"
		want=${want/$ev/$ev $ev}
		for m in $COPROC_MODES; do
			assert_equal "${WEVENTS[c-$m]}" "$want"
		done
		vss delete-set --all
		assert_success
	done
}

@test "a coprocess writer's freeze and thaw bracket the dm switch: its file at freeze is in the shadow, its file at thaw is not" {
	wsetup
	# (Room for a loaded guest: the writer runs dmsetup twice at freeze, in
	# the window, and twice at thaw; no timeout is waited out here.)
	conf "[vss]" "freeze_timeout = 120" \
		"[writer c]" "type = coprocess" "command = $(writer c)" "volumes = ${MNT[a]}" "timeout = 120"
	FW_FILE_AT_FREEZE=${MNT[a]}/at-freeze FW_FILE_AT_THAW=${MNT[a]}/at-thaw \
		FW_DMINFO=$BATS_TEST_TMPDIR/dminfo FW_VOLUME=${PFX}a new_set "${PFX}a"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot eof"
	# At freeze the origin was still linear and the shadow's table only
	# loaded; at thaw the origin was a snapshot-origin and the shadow live:
	# the suspend that switches them lay between.
	assert_equal "$(cat "$BATS_TEST_TMPDIR/dminfo")" "== freeze
origin-table linear
shadow-tables INACTIVE
== thaw
origin-table snapshot-origin
shadow-tables LIVE"
	mkdir "$BATS_TEST_TMPDIR/shadow"
	vss expose "$SET/${PFX}a" "$BATS_TEST_TMPDIR/shadow"
	[ "$status" = 0 ] || fail "expose exited $status: $stderr"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/shadow/at-freeze")" "written at freeze"
	[ ! -e "$BATS_TEST_TMPDIR/shadow/at-thaw" ] || fail "a file written after thaw is in the shadow"
	assert_equal "$(cat "${MNT[a]}/at-thaw")" "written at thaw"
	assert_equal "$(writer_json c state)" stable
	assert_equal "$(writer_json c failed-event)" null
	assert_equal "$(writer_json c set)" "$SET"
	[[ $(writer_json c timings) =~ ^identify\ [0-9]+ms,\ prepare-backup\ [0-9]+ms,\ prepare-snapshot\ [0-9]+ms,\ freeze\ [0-9]+ms,\ thaw\ [0-9]+ms,\ post-snapshot\ [0-9]+ms$ ]] ||
		fail "timings: $(writer_json c timings)"
}

@test "freeze_timeout bounds the whole window: writers still at freeze are stopped and named, the set aborted" {
	wsetup
	# The writers' own timeout (120 s) is far beyond freeze_timeout (2 s):
	# only freeze_timeout can stop them early.
	conf "[vss]" "freeze_timeout = 2" \
		"[writer x]" "command = $(writer x)" "volumes = ${MNT[a]}" "timeout = 120" \
		"[writer c]" "type = coprocess" "command = $(writer c)" "volumes = ${MNT[a]}" "timeout = 120"
	BEFORE=$(wfp)
	t0=$(date +%s%N)
	FW_AT=freeze FW_MODE=hang vss create-set "${PFX}a"
	elapsed=$((($(date +%s%N) - t0) / 1000000))
	assert_equal "$status" 3
	assert_equal "${stderr_lines[1]}" "vss: create-set: writer x: freeze: had not finished freeze when the freeze window reached freeze_timeout (2.0 s): stopped"
	assert_equal "${stderr_lines[0]}" "vss: warning: writer c: freeze failed too: had not answered freeze when the freeze window reached freeze_timeout (2.0 s): stopped"
	[ "$elapsed" -ge 2000 ] || fail "aborted after $elapsed ms, before freeze_timeout"
	# The whole command, not the window alone: its writers started, dm's
	# work and the abort take seconds more in a loaded guest (ASan, another
	# guest beside it). Unbounded, the window would last until the hangs
	# end (60 s) or the writers' timeout (120 s): under 45 s, it was
	# freeze_timeout that ended it.
	[ "$elapsed" -lt 45000 ] || fail "aborted only after $elapsed ms (freeze_timeout 2 s)"
	assert_equal "$(writer_json x failed-event)" freeze
	[[ " $(events x) " == *" abort "* ]] || fail "x was not told abort: $(events x)"
	assert_equal "$(wfp)" "$BEFORE"
	not_frozen
}

@test "hook_dir: executables run as freeze/thaw writers in name order and back, leftovers skipped; a failing hook fails the set and the others thaw" {
	wsetup
	mkdir -m 0755 "$BATS_TEST_TMPDIR/hooks"
	for h in 10-first 20-second 30-old.dpkg-old 40-x.rpmsave 50-y.rpmnew 60-z~; do
		install -m 0755 "$W/fake-writer" "$BATS_TEST_TMPDIR/hooks/$h"
	done
	install -m 0644 "$W/fake-writer" "$BATS_TEST_TMPDIR/hooks/70-not-executable"
	echo "not a hook" >"$BATS_TEST_TMPDIR/hooks/README"
	# (hook_timeout 60: no hook hangs here; room for a loaded guest.)
	conf "[vss]" "hook_dir = $BATS_TEST_TMPDIR/hooks" "hook_timeout = 60"
	new_set "${PFX}a"
	assert_equal "$(awk '{print $1, $2}' "$FW_LOG")" "10-first freeze
20-second freeze
20-second thaw
10-first thaw"
	run --separate-stderr "$VSS" list writers --json
	assert_equal "$(jq -r '[.writers[] | .name + "=" + .type + "=" + .state] | join(" ")' <<<"$output")" \
		"hook:10-first=hook=stable hook:20-second=hook=stable"
	vss delete-set --all
	assert_success
	# The second fails to freeze: the set is aborted, both thaw, last first.
	rm -f "$FW_LOG"
	BEFORE=$(wfp)
	FW_AT=freeze FW_MODE=fail FW_ONLY=20-second vss create-set "${PFX}a"
	assert_equal "$status" 3
	assert_stderr "vss: create-set: writer hook:20-second: freeze: exited with status 1: told to fail at freeze"
	assert_equal "$(awk '{print $1, $2}' "$FW_LOG")" "10-first freeze
20-second freeze
20-second thaw
10-first thaw"
	assert_equal "$(wfp)" "$BEFORE"
	not_frozen
	# The first fails: the second is never told freeze, the first thaws.
	rm -f "$FW_LOG"
	FW_AT=freeze FW_MODE=fail FW_ONLY=10-first vss create-set "${PFX}a"
	assert_equal "$status" 3
	assert_equal "$(awk '{print $1, $2}' "$FW_LOG")" "10-first freeze
10-first thaw"
	# A hook someone else could change is never run.
	chmod g+w "$BATS_TEST_TMPDIR/hooks/20-second"
	rm -f "$FW_LOG"
	vss create-set "${PFX}a"
	assert_equal "$status" 3
	assert_stderr "vss: create-set: writer hook:20-second: freeze: refused to run $BATS_TEST_TMPDIR/hooks/20-second: writable by its group"
	assert_equal "$(awk '{print $1, $2}' "$FW_LOG")" "10-first freeze
10-first thaw"
	assert_equal "$(wfp)" "$BEFORE"
	not_frozen
}

@test "which writers join: volumes on a member; no volumes: only by name; --writers NAME, --writers none; disabled and unknown names refused" {
	wsetup
	mkvol b 24
	mkfs_mount b
	conf "[writer on-a]" "command = $(writer on-a)" "volumes = /nonexistent ${MNT[a]}/sub" \
		"[writer on-b]" "command = $(writer on-b)" "volumes = ${MNT[b]}" \
		"[writer byname]" "command = $(writer byname)" \
		"[writer off]" "command = $(writer off)" "volumes = ${MNT[a]}" "enabled = no"
	mkdir "${MNT[a]}/sub"
	new_set "${PFX}a"
	assert_equal "$(awk '$2 == "identify" {print $1}' "$FW_LOG" | sort | tr '\n' ' ')" "on-a "
	# A volumes path that does not exist is said, and passed over.
	assert_equal "$stderr" "vss: warning: writer on-a: volumes path /nonexistent: No such file or directory"
	# What an exec writer sees: the set, the event, the volumes.
	assert_equal "$(awk '$1 == "on-a" && $2 == "freeze" {print $3, $4}' "$FW_LOG")" "$SET ${PFX}a"
	rm -f "$FW_LOG"
	new_set --writers on-b,byname "${PFX}a"
	assert_equal "$(awk '$2 == "identify" {print $1}' "$FW_LOG" | sort | tr '\n' ' ')" "byname on-a on-b "
	rm -f "$FW_LOG"
	new_set --writers none "${PFX}a" "${PFX}b"
	[ ! -e "$FW_LOG" ] || fail "writers ran with --writers none: $(cat "$FW_LOG")"
	new_set "${PFX}b"
	assert_equal "$(awk '$2 == "identify" {print $1}' "$FW_LOG" | sort | tr '\n' ' ')" "on-b "
	assert_equal "$(awk '$1 == "on-b" && $2 == "identify" {print $4}' "$FW_LOG")" "${PFX}b"
	BEFORE=$(wfp)
	vss create-set --writers on-b,off "${PFX}a"
	assert_equal "$status" 2
	assert_stderr "vss: create-set: writer off: disabled (enabled = no)"
	vss create-set --writers nosuch "${PFX}a"
	assert_equal "$status" 2
	assert_stderr "vss: create-set: writer nosuch: no such writer (configured: on-a, on-b, byname, off)"
	assert_equal "$(wfp)" "$BEFORE"
}

@test "an auto-release set's writers get backup-complete when vss ends, before the set goes; a persistent set's coprocess sees its stdin close" {
	wsetup
	conf "[writer x]" "command = $(writer x)" "volumes = ${MNT[a]}" \
		"[writer c]" "type = coprocess" "command = $(writer c)" "volumes = ${MNT[a]}"
	vss -v create-set --context auto-release "${PFX}a"
	assert_success
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot backup-complete"
	# -v shows each phase and each writer's answer, with the time since the start.
	run bash -c "grep -E '^vss: \\[ *[0-9]+\\.[0-9]{3} s\\] (set [0-9a-f]{8}: |  writer x: )' | sed -E 's/^vss: \\[ *[0-9.]+ s\\] //; s/^set [0-9a-f]{8}: /phase /; s/OK in [0-9]+ ms/OK/'" <<<"$stderr"
	assert_output "phase identify
  writer x: identify: OK
phase prepare-backup
  writer x: prepare-backup: OK
phase prepare-snapshot
  writer x: prepare-snapshot: OK
phase freeze
  writer x: freeze: OK
phase thaw
  writer x: waiting for thaw
  writer x: thaw: OK
phase post-snapshot
  writer x: post-snapshot: OK
phase backup-complete
  writer x: backup-complete: OK"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot backup-complete eof"
	assert_equal "$(set_ids)" ""
	assert_equal "$(writer_json c state)" stable
	# A failing backup-complete: exit 3, and the set still goes.
	rm -f "$FW_LOG"
	FW_AT=backup-complete FW_MODE=fail FW_ONLY=x vss create-set --context auto-release "${PFX}a"
	assert_equal "$status" 3
	assert_stderr "vss: writer x: backup-complete: exited with status 1: told to fail at backup-complete"
	assert_equal "$(set_ids)" ""
	assert_equal "$(writer_json x failed-event)" backup-complete
	rm -f "$FW_LOG"
	new_set "${PFX}a"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot eof"
}

@test "SIGINT while a writer holds freeze: the set is aborted at once, the writer told abort, nothing left" {
	wsetup
	# Neither the writer's timeout nor freeze_timeout may end the hang
	# before the signal does, however slowly a loaded guest gets there.
	conf "[vss]" "freeze_timeout = 120" "[writer x]" "command = $(writer x)" "volumes = ${MNT[a]}" "timeout = 120"
	BEFORE=$(wfp)
	FW_AT=freeze FW_MODE=hang bg "$VSS" create-set "${PFX}a"
	for _ in $(seq 1200); do
		[ "$(events x)" = "identify prepare-backup prepare-snapshot freeze" ] && break
		sleep 0.1
	done
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze"
	kill -INT "$BG"
	t0=$(date +%s%N)
	st=0
	wait "$BG" || st=$?
	assert_equal "$st" 130
	# At once: the undo (the writer told abort, the devices removed) takes
	# seconds in a loaded guest; without SIGINT the hang would go on for
	# 60 s (and the window to freeze_timeout, 120 s). Under 30 s, it was the
	# signal.
	[ $((($(date +%s%N) - t0) / 1000000)) -lt 30000 ] || fail "SIGINT took more than 30 s to act"
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze abort"
	assert_equal "$(wfp)" "$BEFORE"
	not_frozen
}

@test "a writer whose program is missing, or that vss may not run, fails the set at identify (exit 3)" {
	wsetup
	conf "[writer gone]" "command = $W/not-there" "volumes = ${MNT[a]}"
	BEFORE=$(wfp)
	vss create-set "${PFX}a"
	assert_equal "$status" 3
	assert_stderr "vss: create-set: writer gone: identify: refused to run $W/not-there: no such file"
	assert_equal "$(wfp)" "$BEFORE"
	# Made unsafe after the file was read (by itself, at prepare-backup):
	# checked again as it is to run, and refused at the next event.
	conf "[writer x]" "command = $(writer x)" "volumes = ${MNT[a]}"
	rm -f "$FW_LOG"
	FW_AT=prepare-backup FW_MODE=unsafe vss create-set "${PFX}a"
	assert_equal "$status" 3
	# (Its abort is refused too: said, as a warning.)
	assert_equal "$stderr" "vss: warning: writer x: abort: refused to run $W/x: writable by everyone
vss: create-set: writer x: prepare-snapshot: refused to run $W/x: writable by everyone"
	assert_equal "$(events x)" "identify prepare-backup"
	assert_equal "$(wfp)" "$BEFORE"
	# And the next command refuses the configuration itself.
	vss create-set "${PFX}a"
	assert_equal "$status" 2
	assert_stderr "vss: $BATS_TEST_TMPDIR/vss.conf:2: writer x: command $W/x: refused: writable by everyone"
}

@test "SIGKILL while writers hold freeze: recovery tells hooks thaw and exec writers abort; a coprocess sees its stdin close" {
	wsetup
	mkdir -m 0755 "$BATS_TEST_TMPDIR/hooks"
	install -m 0755 "$W/fake-writer" "$BATS_TEST_TMPDIR/hooks/10-h"
	conf "[vss]" "hook_dir = $BATS_TEST_TMPDIR/hooks" \
		"[writer x]" "command = $(writer x)" "volumes = ${MNT[a]}" \
		"[writer c]" "type = coprocess" "command = $(writer c)" "volumes = ${MNT[a]}"
	VSS_FAULT=create:writers-frozen vss create-set "${PFX}a"
	assert_equal "$status" 137
	[ -e "$VSS_RUN_DIR/writers" ] || fail "no frozen-writers marker after the kill"
	assert_equal "$(events 10-h)" "freeze"
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze"
	for _ in $(seq 600); do [[ $(events c) == *eof ]] && break; sleep 0.1; done
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze eof"
	vss recover
	assert_success
	assert_line "writer hook:10-h: told thaw (a vss process was killed while it was frozen)"
	assert_line "writer x: told abort (a vss process was killed while it was frozen)"
	assert_equal "$(events 10-h)" "freeze thaw"
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze abort"
	[ ! -e "$VSS_RUN_DIR/writers" ] || fail "the marker outlived recovery"
	assert_equal "$(set_ids)" ""
	not_frozen
	# Once is enough.
	vss recover
	assert_success
	assert_output ""
}
