#!/usr/bin/env bats
# Writers without device-mapper: check-config, writer verify (identify only)
# and list writers, for exec and coprocess writers and hooks, run as whoever
# runs the tests (vss runs programs owned by root or by itself).

load ../lib/common

setup() {
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	mkdir -p "$VSS_STATE_DIR"
	unset VSS_CONFIG VSS_LOCK_TIMEOUT
	W=$BATS_TEST_TMPDIR/w
	mkdir -m 0755 "$W"
	install -m 0755 "$VSS_SRCDIR/tests/dm/writers/fake-writer" "$W/fake-writer"
	export FW_LOG=$BATS_TEST_TMPDIR/fw.log
	CONF=$BATS_TEST_TMPDIR/vss.conf
}

# conf LINE...: the configuration file, mode 0644.
conf() {
	printf '%s\n' "$@" >"$CONF"
	chmod 0644 "$CONF"
}

writer() {
	ln -sf "$W/fake-writer" "$W/$1"
	echo "$W/$1"
}

# wj NAME FIELD: a field of writer NAME in list writers --json.
wj() {
	run --separate-stderr "$VSS" -C "$CONF" list writers --json
	[ "$status" = 0 ] || fail "list writers exited $status: $stderr"
	jq -r --arg n "$1" --arg f "$2" '.writers[] | select(.name == $n) | .[$f] | tostring' <<<"$output"
}

@test "check-config: a good file is OK (0), a bad one gives every problem with FILE:LINE (2), an unsafe one is refused" {
	conf "[vss]" "freeze_timeout = 5" "[writer x]" "command = $(writer x) --flag" \
		"[writer c]" "type = coprocess" "command = $(writer c)" "volumes = /var/lib"
	vss check-config "$CONF"
	assert_success
	assert_output "$CONF: OK (2 writers)"
	vss -C "$CONF" check-config
	assert_success
	conf "[vss]" "freeze_timeout = never" "[writer x]" "command = $W/missing" "[writer x]" "command = /bin/true" "[writer y]"
	vss check-config "$CONF"
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "vss: $CONF:2: freeze_timeout 'never': must be a duration in seconds, more than 0 and at most 600
vss: $CONF:4: writer x: command $W/missing: refused: no such file
vss: $CONF:5: [writer x] defined twice (first at line 3)
vss: $CONF:7: writer y: has no command"
	# Other commands leave a program not installed yet to the writer's run.
	conf "[writer x]" "command = $W/missing"
	vss -C "$CONF" list writers
	assert_success
	conf "[writer x]" "command = $(writer x)"
	chmod 0664 "$CONF"
	vss check-config "$CONF"
	assert_failure 2
	assert_stderr "vss: $CONF: refused: writable by its group"
	chmod 0644 "$CONF"
	chmod 0775 "$W/fake-writer"
	vss -C "$CONF" list writers
	assert_failure 2
	assert_stderr "vss: $CONF:2: writer x: command $W/x: refused: writable by its group"
	chmod 0755 "$W/fake-writer"
	chmod 0777 "$W"
	vss check-config "$CONF"
	assert_failure 2
	assert_stderr "vss: $CONF:2: writer x: command $W/x: refused: its directory $W is writable by everyone"
	vss check-config "$CONF" extra
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: check-config: one file at a time"
}

@test "writer verify: identify only, for exec and coprocess writers; list writers shows the outcome" {
	# (timeout 60: an ASan/UBSan vss starting a writer on a loaded host can
	# take seconds; the default 10 s is not the point here.)
	conf "[writer x]" "command = $(writer x)" "timeout = 60" \
		"[writer c]" "type = coprocess" "command = $(writer c)" "timeout = 60" \
		"[writer off]" "command = $(writer off)" "enabled = no" "timeout = 60"
	vss -C "$CONF" writer verify
	assert_success
	assert_equal "$(awk '{print $1, $2}' "$FW_LOG")" "x identify
c identify
c eof"
	assert_equal "$(wj x state):$(wj x event):$(wj c state):$(wj c type)" "stable:identify:stable:coprocess"
	[[ $(wj x timings) =~ ^identify\ [0-9]+ms$ ]] || fail "timings: $(wj x timings)"
	assert_equal "$(wj off enabled):$(wj off state)" "false:stable"
	run --separate-stderr "$VSS" -C "$CONF" list writers
	assert_success
	assert_line --index 0 --regexp '^NAME +TYPE +STATE +EVENT +SET +TIMINGS +LAST-FAILURE$'
	assert_line --index 1 --regexp '^x +exec +stable +identify +identify [0-9]+ms'
	assert_line --index 3 --regexp '^off +exec +disabled'
	# One by name, even a disabled one; an unknown name is a usage error.
	rm -f "$FW_LOG"
	vss -C "$CONF" writer verify off
	assert_success
	assert_equal "$(awk '{print $1, $2}' "$FW_LOG")" "off identify"
	vss -C "$CONF" writer verify nosuch
	assert_failure 2
	assert_stderr "vss: writer verify: writer nosuch: no such writer"
	vss -C "$CONF" writer verify x c
	assert_failure 2
	# A program that is not there: failed at identify, and recorded so.
	conf "[writer gone]" "command = $W/not-there"
	vss -C "$CONF" writer verify
	assert_failure 3
	assert_stderr "vss: writer verify: writer gone: identify: refused to run $W/not-there: no such file"
	assert_equal "$(wj gone state):$(wj gone failed-event)" "failed:identify"
}

# both_writers TIMEOUT: exec writer x and coprocess writer c, each with
# that timeout and one retry. Only a hang waits its timeout out, so only the
# hang gets a short one (1 s); every other way to fail gets 60 s: an
# ASan/UBSan vss starting a writer on a loaded host can take more than a
# second, and such a writer would fail by its timeout, not as it was told.
both_writers() {
	conf "[writer x]" "command = $(writer x)" "timeout = $1" "retries = 1" \
		"[writer c]" "type = coprocess" "command = $(writer c)" "timeout = $1" "retries = 1"
}

@test "writer verify: each way a writer fails at identify, exit 3, and its last failure kept" {
	for mode in fail retry-fail hang crash; do
		if [ "$mode" = hang ]; then both_writers 1; else both_writers 60; fi
		FW_AT=identify FW_MODE=$mode vss -C "$CONF" writer verify x
		assert_equal "$status:$mode" "3:$mode"
	done
	assert_stderr "vss: writer verify: writer x: identify: killed by SIGSEGV"
	assert_equal "$(wj x state):$(wj x failed-event):$(wj x failed-retryable)" "failed:identify:false"
	for mode in fail retry-fail hang crash close garbage; do
		if [ "$mode" = hang ]; then both_writers 1; else both_writers 60; fi
		FW_AT=identify FW_MODE=$mode vss -C "$CONF" writer verify c
		assert_equal "$status:$mode" "3:$mode"
		case $mode in
		fail) want="told to fail at identify" ;;
		retry-fail) want="busy at identify (retryable; gave up after 2 attempts)" ;;
		hang) want="did not answer identify within its timeout (1.0 s): stopped" ;;
		crash) want="killed by SIGSEGV before answering" ;;
		close) want="closed its stdout" ;;
		garbage) want="answered 'HELLO identify', not OK or ERROR" ;;
		esac
		assert_stderr "vss: writer verify: writer c: identify: $want"
		assert_equal "$(wj c failed-reason)" "$want"
	done
	assert_equal "$(wj c failed-retryable)" false
	both_writers 60
	# A success afterwards: stable again, the last failure still known.
	rm -f "$FW_LOG"*
	FW_AT=identify FW_MODE=retry-ok vss -C "$CONF" writer verify c
	assert_success
	assert_equal "$(awk '{print $2}' "$FW_LOG" | tr '\n' ' ')" "identify identify eof "
	assert_equal "$(wj c state):$(wj c failed-event)" "stable:identify"
	# Both at once: every one is tried, the first failure is the command's.
	FW_AT=identify FW_MODE=fail vss -C "$CONF" writer verify
	assert_failure 3
	assert_equal "$stderr" "vss: warning: writer c: identify: told to fail at identify
vss: writer verify: writer x: identify: exited with status 1: told to fail at identify"
	# No coprocess is left behind.
	run pgrep -f "$W/c"
	assert_failure 1
}

@test "hooks from hook_dir are listed, leftovers and non-executables skipped; verify checks them without running them" {
	mkdir -m 0755 "$BATS_TEST_TMPDIR/hooks"
	for h in 10-a 20-b 30-c.dpkg-old 40-d.rpmsave 50-e.rpmnew 60-f~ .hidden; do
		install -m 0755 "$W/fake-writer" "$BATS_TEST_TMPDIR/hooks/$h"
	done
	install -m 0644 "$W/fake-writer" "$BATS_TEST_TMPDIR/hooks/70-g"
	conf "[vss]" "hook_dir = $BATS_TEST_TMPDIR/hooks"
	run --separate-stderr "$VSS" -C "$CONF" list writers --json
	assert_success
	assert_equal "$(jq -r '[.writers[] | .name + "=" + .type] | join(" ")' <<<"$output")" "hook:10-a=hook hook:20-b=hook"
	vss -C "$CONF" writer verify
	assert_success
	[ ! -e "$FW_LOG" ] || fail "verify ran a hook: $(cat "$FW_LOG")"
	chmod g+w "$BATS_TEST_TMPDIR/hooks/20-b"
	vss -C "$CONF" writer verify
	assert_failure 3
	assert_stderr "vss: writer verify: writer hook:20-b: refused to run $BATS_TEST_TMPDIR/hooks/20-b: writable by its group"
	vss check-config "$CONF"
	assert_failure 2
	assert_stderr "vss: $CONF: hook $BATS_TEST_TMPDIR/hooks/20-b: refused: writable by its group"
	chmod 0777 "$BATS_TEST_TMPDIR/hooks"
	vss check-config "$CONF"
	assert_failure 2
	assert_stderr "vss: $CONF:2: hook_dir $BATS_TEST_TMPDIR/hooks: refused: writable by everyone"
}

@test "usage errors of list writers, writer verify and check-config: exit 2, the usage line, nothing run or written" {
	conf "[writer x]" "command = $(writer x)"
	for args in "list writers extra" "list writers --bogus" "writer verify --bogus" "writer verify a b" \
		"check-config a b" "check-config --bogus" "writer" "writer frob"; do
		# shellcheck disable=SC2086
		vss -C "$CONF" $args
		assert_equal "$status:$args" "2:$args"
		assert_output ""
	done
	vss -C "$CONF" list writers extra
	assert_equal "$stderr" "vss: list writers: unexpected argument 'extra'
Usage: vss list writers [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]"
	vss -C "$CONF" writer verify --bogus
	assert_equal "$stderr" "vss: writer verify: unknown option --bogus
Usage: vss writer verify [--json] [NAME]"
	vss -C "$CONF" writer verify a b
	assert_equal "$stderr" "vss: writer verify: one writer at a time
Usage: vss writer verify [--json] [NAME]"
	vss -C "$CONF" writer
	assert_stderr "vss: writer: needs one of: verify"
	# Nothing ran, nothing was written.
	[ ! -e "$FW_LOG" ] || fail "a writer ran: $(cat "$FW_LOG")"
	assert_equal "$(find "$VSS_STATE_DIR" -mindepth 1)" ""
}
