#!/usr/bin/env bats
# The conventions a script relies on, where no device-mapper is needed:
# a listing's -o, -n, -r, -b and -J (on list writers, which runs anywhere),
# short options, and the nearest command or option offered for a typo.

load ../lib/common

setup() {
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	mkdir -p "$VSS_STATE_DIR"
	unset VSS_CONFIG VSS_LOCK_TIMEOUT
	W=$BATS_TEST_TMPDIR/w
	mkdir -m 0755 "$W"
	install -m 0755 "$VSS_SRCDIR/tests/dm/writers/fake-writer" "$W/fake-writer"
	ln -s "$W/fake-writer" "$W/alpha"
	ln -s "$W/fake-writer" "$W/beta"
	export FW_LOG=$BATS_TEST_TMPDIR/fw.log
	CONF=$BATS_TEST_TMPDIR/vss.conf
	printf '%s\n' "[writer alpha]" "command = $W/alpha" "[writer beta]" "type = coprocess" \
		"command = $W/beta" "enabled = no" >"$CONF"
	chmod 0644 "$CONF"
}

@test "list writers -o: the columns asked for, in that order; +COLUMNS adds to the default; names in any case" {
	vss -C "$CONF" list writers -o name,type,command
	assert_success
	assert_equal "$output" "NAME  TYPE      COMMAND
alpha exec      $W/alpha
beta  coprocess $W/beta"
	vss -C "$CONF" list writers --output=Name,ENABLED
	assert_success
	assert_equal "$output" "NAME  ENABLED
alpha yes
beta  no"
	vss -C "$CONF" list writers -o +ENABLED
	assert_success
	assert_line --index 0 --regexp '^NAME +TYPE +STATE +EVENT +SET +TIMINGS +LAST-FAILURE +ENABLED$'
	assert_line --index 2 --regexp '^beta +coprocess +disabled +no$'
}

@test "list writers -n, -r, -nr: no heading; raw rows, one space between columns" {
	vss -C "$CONF" list writers -n -o name,type
	assert_success
	assert_equal "$output" "alpha exec
beta  coprocess"
	vss -C "$CONF" list writers -r -o NAME,TYPE,STATE
	assert_success
	assert_equal "$output" "NAME TYPE STATE
alpha exec stable
beta coprocess disabled"
	# Bundled, and after the operands' place: as getopt takes them.
	vss -C "$CONF" list writers -nro name
	assert_success
	assert_equal "$output" "alpha
beta"
}

@test "list writers -J: the JSON keys of the default columns, nothing else; -o chooses them too" {
	vss -C "$CONF" list writers -J
	assert_success
	assert_equal "$(jq -c '[.writers[] | keys]' <<<"$output")" \
		'[["changed","command","enabled","event","failed-at","failed-event","failed-reason","failed-retryable","name","set","state","timings","type"],["changed","command","enabled","event","failed-at","failed-event","failed-reason","failed-retryable","name","set","state","timings","type"]]'
	assert_equal "$(jq -r '.writers[] | [.name, .type, (.enabled | tostring), .command] | join("|")' <<<"$output")" \
		"alpha|exec|true|$W/alpha
beta|coprocess|false|$W/beta"
	vss -C "$CONF" list writers --json -o name,enabled
	assert_success
	assert_equal "$(jq -c '.' <<<"$output")" '{"writers":[{"name":"alpha","enabled":true},{"name":"beta","enabled":false}]}'
}

@test "-o help lists the columns and exits 0; an unknown or empty column is exit 2, one line and the usage, nothing run" {
	vss -C "$CONF" list writers -o help
	assert_success
	assert_line --index 0 "Columns of writers (-o NAME,NAME or -o +NAME to add to the default):"
	assert_line --regexp '^ +NAME  the writer.s name$'
	assert_line --regexp '^ +LAST-FAILURE  its last failure: when, at which event, why$'
	assert_equal "${#lines[@]}" 15
	for bad in BOGUS name,,type name,; do
		vss -C "$CONF" list writers -o "$bad"
		assert_failure 2
		assert_output ""
	done
	vss -C "$CONF" list writers -o name,BOGUS
	assert_failure 2
	assert_equal "$stderr" "vss: list writers: -o: unknown column 'BOGUS' (-o help lists them)
Usage: vss list writers [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]"
	vss -C "$CONF" list writers -o
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: list writers: option -o needs a value"
	[ ! -e "$FW_LOG" ] || fail "a writer ran"
}

@test "short options: the letters of the table, bundled or not, values attached or apart; unknown ones named" {
	# -J is --json wherever the command has it.
	vss -C "$CONF" writer verify -J alpha
	assert_success
	assert_equal "$(jq -r '.writers[0].name' <<<"$output")" alpha
	vss -C "$CONF" list writers -oNAME -n
	assert_equal "$output" "alpha
beta"
	vss list writers -q
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: list writers: unknown option -q"
	vss create-set -l
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: create-set: option -l needs a value"
	vss create-set -Z vol
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: create-set: unknown option -Z"
	# The same letters a command line takes, a script takes: checked before
	# anything runs.
	vss -C "$CONF" -c 'list writers -n -o name'
	assert_success
	assert_equal "$output" "alpha
beta"
	vss -C "$CONF" -c 'list writers -o name; list writers -nX'
	assert_failure 2
	assert_output ""
	assert_stderr "vss: -c: list writers: unknown option -X"
}

@test "a mistyped command or option: the nearest one is offered; a word far from every one is not guessed at" {
	vss lsit
	assert_failure 2
	assert_stderr "vss: lsit: unknown command; did you mean 'list'? see 'vss help'"
	vss craete-set vol
	assert_failure 2
	assert_stderr "vss: craete-set: unknown command; did you mean 'create-set'? see 'vss help'"
	vss list sest
	assert_failure 2
	assert_stderr "vss: list sest: unknown command; did you mean 'list sets'? list takes: volumes, sets, shadows, storage, writers"
	vss frobnicate
	assert_failure 2
	assert_stderr "vss: frobnicate: unknown command; see 'vss help'"
	vss create-set --lable x vol
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: create-set: unknown option --lable; did you mean --label?"
	vss create-set --frobnicate vol
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: create-set: unknown option --frobnicate"
	vss --comand 'list writers'
	assert_failure 2
	assert_stderr "vss: unknown option --comand; did you mean --command? see 'vss help'"
}

@test "COMMAND --help and -h: that command's usage on stdout, exit 0, nothing run; exec's program keeps its own -h" {
	vss help create-set
	assert_success
	help=$output
	vss create-set --help
	assert_success
	assert_equal "$output" "$help"
	vss create-set vol -l x -h
	assert_success
	assert_equal "$output" "$help"
	vss -C "$CONF" -c 'list writers -h'
	assert_success
	assert_line --index 0 "Usage: vss list writers [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]"
	[ ! -e "$FW_LOG" ] || fail "a writer ran"
	# After --, and among a program's words, -h is an operand.
	vss exec ls -h
	assert_failure 2
	assert_stderr "vss: exec: no shadow copy set was made in this session (create-set first)"
}
