#!/usr/bin/env bats
# The command language without device-mapper: -c, -f, stdin scripts, the
# quoting, prefixes of command words and options, set, exit, and every
# error a script can have (its place, its exit code, what did not run).

load ../lib/common

setup() {
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	# An empty configuration, safe to read (root's, 0644).
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf
	: >"$VSS_CONFIG"
	chmod 0644 "$VSS_CONFIG"
	S=$BATS_TEST_TMPDIR/script.vss
}

# script LINE...: the script file $S of those lines.
script() {
	printf '%s\n' "$@" >"$S"
}

@test "-c runs commands apart by ';', in order, sharing the session's settings" {
	vss -c 'set context auto-release; set on-error continue ; set context;set on-error'
	assert_success
	assert_output "context   auto-release
on-error  continue"
	assert_stderr ""
	# Each session starts from the defaults.
	vss -c 'set context'
	assert_output "context   default (vss.conf)"
}

@test "-f FILE, -f - and stdin: comments, quoting, continued lines" {
	script '# a comment line' \
		'set verbose on   # a comment after a command' \
		"set 'context' \\" \
		'    "auto-release"' \
		'' \
		'set on-\' \
		'error continue' \
		"set \"on-er\"'ror'; set context; set verbose" \
		'set writers "a b"\;c; set writers' \
		"set writers 'x\"y'\\ z; set writers" \
		'set writers "q\"\\r"' \
		'set writers; set writers #not-a-value'
	expected='on-error  continue
context   auto-release
verbose   on
writers   a b;c
writers   x"y z
writers   q"\r
writers   q"\r'
	vss -f "$S"
	assert_success
	assert_output "$expected"
	assert_stderr ""
	run --separate-stderr "$VSS" <"$S"
	assert_success
	assert_output "$expected"
	run --separate-stderr "$VSS" -f - <"$S"
	assert_success
	assert_output "$expected"
}

@test "bad quoting: FILE:LINE of the quote, exit 2, nothing runs" {
	script 'set writers a' 'set writers' "set writers 'open" '' 'set writers'
	vss -f "$S"
	assert_failure 2
	assert_output ""
	assert_stderr "$S:3: ' quote opened here is never closed"
	script 'set writers' 'set writers "open\"' 'set writers'
	vss -f "$S"
	assert_failure 2
	assert_output ""
	assert_stderr "$S:2: \" quote opened here is never closed"
	printf 'set writers\nset writers \\' >"$S"
	vss -f "$S"
	assert_failure 2
	assert_stderr "$S:2: \\ at the end of the input"
	vss -c "set writers; set context 'x"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: -c: ' quote opened here is never closed"
}

@test "unknown commands, ambiguous prefixes, bad options: every one reported with its line, exit 2, nothing runs" {
	script 'set writers' 'frobnicate now' 'set writers' 's' 'list' 'list x' \
		'create-set --frob v' 'create-set --c x v' 'cr --json=x v' 'exec ls --frob'
	vss -f "$S"
	assert_failure 2
	assert_output ""
	assert_stderr "$S:2: frobnicate: unknown command; see 'vss help'
$S:4: s: ambiguous; it could be: show, storage, set
$S:5: list: needs one of: volumes, sets, shadows, storage, writers
$S:6: list x: unknown command; list takes: volumes, sets, shadows, storage, writers
$S:7: create-set: unknown option --frob
$S:8: create-set: option --c is ambiguous: --context, --cow-size, --chunk-size
$S:9: create-set: option --json takes no value"
}

@test "a failing command stops the script: its line, its exit code, later commands not run" {
	script 'set writers first' 'set writers' 'set context sometimes' 'set writers second' 'set writers'
	vss -f "$S"
	assert_failure 2
	assert_output "writers   first"
	assert_stderr "$S:3: set: context sometimes: must be persistent or auto-release
Usage: vss set [OPTION [VALUE]]"
	# Another exit code: exit's own, and nothing after it runs.
	script 'set writers first' 'exit 7' 'set writers'
	vss -f "$S"
	assert_failure 7
	assert_output ""
	assert_stderr ""
	vss -c 'exit 300; set writers'
	assert_failure 2
	assert_stderr "vss: exit: 300: not an exit code (0 to 255)
Usage: vss exit [CODE]"
	assert_output ""
}

@test "set on-error continue: the script goes on; its status is the last failure's" {
	script 'set on-error continue' 'set context sometimes' 'set writers a,,b' 'exec' \
		'set writers after' 'set writers'
	vss -f "$S"
	assert_failure 2
	assert_output "writers   after"
	assert_equal "${#stderr_lines[@]}" 6
	assert_equal "${stderr_lines[0]}" "$S:2: set: context sometimes: must be persistent or auto-release"
	assert_equal "${stderr_lines[2]}" "$S:3: set: writers a,,b: a list of writer names, or all or none alone"
	assert_equal "${stderr_lines[4]}" "$S:4: exec: no program given"
	# A failure then successes: still the failure's code.
	vss -c 'set on-error continue; exec true; set writers x; set writers'
	assert_failure 2
	assert_output "writers   x"
	assert_stderr "vss: exec: no shadow copy set was made in this session (create-set first)"
	# Back to stop: the next failure ends it.
	vss -c 'set on-error continue; set context x; set on-error stop; set verbose x; set writers'
	assert_failure 2
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 4
}

@test "command words and options may be shortened while unambiguous" {
	mkdir -p "$VSS_STATE_DIR"
	vss li wr
	assert_success
	assert_output ""
	vss help cr
	assert_success
	assert_line --index 0 --partial "Usage: vss create-set [--label TEXT]"
	vss help li wr
	assert_line --index 0 "Usage: vss list writers [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]"
	vss help ex
	assert_failure 2
	assert_stderr "vss: help: ex: ambiguous; it could be: expose, exec, exit"
	vss wri ver --j nosuch
	assert_failure 2
	assert_stderr "vss: writer verify: writer nosuch: no such writer"
	vss st
	assert_failure 2
	assert_stderr "vss: st: needs one of: add, remove, list"
	vss -c 'set on-e cont'
	assert_failure 2
	assert_stderr "vss: set: on-e: no such setting (context, writers, provider, verbose, on-error)
Usage: vss set [OPTION [VALUE]]"
}

@test "the session's commands: set, begin-backup, end-backup, exec, exit refuse what they cannot do" {
	vss -c 'set a b c'
	assert_failure 2
	assert_stderr "vss: set: one setting at a time
Usage: vss set [OPTION [VALUE]]"
	for bad in "context x:must be persistent or auto-release" "writers ,:a list of writer names, or all or none alone" \
		"writers all,a:a list of writer names, or all or none alone" "provider zfs:no such provider (there are auto, chain, cow and thin)" \
		"verbose 3:must be on, off or debug" "on-error maybe:must be stop or continue"; do
		vss set ${bad%%:*}
		assert_failure 2
		assert_equal "${stderr_lines[0]}" "vss: set: ${bad%%:*}: ${bad#*:}"
	done
	vss -c 'end-backup'
	assert_failure 2
	assert_stderr "vss: end-backup: no backup is open (begin-backup first)"
	vss -c 'begin-backup; begin-backup'
	assert_failure 2
	assert_stderr "vss: begin-backup: a backup is open already (end-backup first)
vss: begin-backup without end-backup: the backup did not complete"
	vss -c 'begin-backup now'
	assert_failure 2
	assert_stderr "vss: begin-backup: now: takes no argument
Usage: vss begin-backup"
	# A session that ends with its backup open did not complete it: exit 1.
	vss -c 'begin-backup'
	assert_failure 1
	assert_stderr "vss: begin-backup without end-backup: the backup did not complete"
	vss -c 'begin-backup; end-backup'
	assert_success
	assert_stderr ""
	vss exec
	assert_failure 2
	assert_stderr "vss: exec: no program given
Usage: vss exec PROGRAM [ARG...]"
	vss exec -x
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: exec: unknown option -x (a program's name may not begin with -)"
	vss -c 'exec true'
	assert_failure 2
	assert_stderr "vss: exec: no shadow copy set was made in this session (create-set first)"
}

@test "-c and -f: one or the other, and no command after them" {
	vss -c 'set' -f "$S"
	assert_failure 2
	assert_stderr "vss: -c and -f: one or the other"
	vss -c 'set' list sets
	assert_failure 2
	assert_stderr "vss: list: a command is given with -c or -f, not after them"
	vss -f "$BATS_TEST_TMPDIR/nosuch.vss"
	assert_failure 2
	assert_stderr "vss: $BATS_TEST_TMPDIR/nosuch.vss: No such file or directory"
	vss -c
	assert_failure 2
	assert_stderr "vss: option -c needs a value"
}

@test "completion: vss __complete and the bash function offer what the table allows" {
	run "$VSS" __complete 0 cre
	assert_output "create-set"
	run "$VSS" __complete 1 list ""
	assert_output "sets
shadows
storage
volumes
writers"
	run "$VSS" __complete 1 create-set --c
	assert_output "--chunk-size
--context
--cow-size"
	run "$VSS" __complete 2 create-set --context ""
	assert_output "auto-release
persistent"
	run "$VSS" __complete 2 set on-error c
	assert_output "continue"
	run "$VSS" __complete 2 help list s
	assert_output "sets
shadows
storage"
	run "$VSS" __complete 2 -C "$VSS_CONFIG" ex
	assert_output "exec
exit
expose"
	mkdir -p "$BATS_TEST_TMPDIR/dir"
	: >"$BATS_TEST_TMPDIR/dir/file.conf"
	run "$VSS" __complete 1 check-config "$BATS_TEST_TMPDIR/dir/f"
	assert_output "$BATS_TEST_TMPDIR/dir/file.conf"
	# The bash function: vss's own answer in COMPREPLY.
	run bash -c 'source "$1/completion/vss.bash"; COMP_WORDS=("$2" wri v); COMP_CWORD=2; _vss; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$VSS_SRCDIR" "$VSS"
	assert_output "verify"
	run bash -c 'source "$1/completion/vss.bash"; COMP_WORDS=("$2" set writers ""); COMP_CWORD=3; _vss; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$VSS_SRCDIR" "$VSS"
	assert_output "all
none"
}

@test "the lexer's corners: '' is a word, ; and # inside words or quotes, CRLF lines, a NUL byte" {
	vss -c "set writers ''"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: set: writers : a list of writer names, or all or none alone"
	vss -c 'set writers "x;y"#z; set writers; set writers a#b; set writers # a comment'
	assert_success
	assert_output 'writers   x;y#z
writers   a#b'
	printf 'set writers first\r\nset writers \\\r\n  second\r\nset writers\r\n' >"$S"
	vss -f "$S"
	assert_success
	assert_output "writers   second"
	printf 'set writers a\nset writers\n\0set writers b\n' >"$S"
	vss -f "$S"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: $S: contains a NUL byte: not a text file"
}

@test "messages name what was meant: help's ambiguity, a shortened group, clustered short options" {
	vss help s
	assert_failure 2
	assert_stderr "vss: help: s: ambiguous; it could be: show, storage, set"
	assert_output ""
	vss li x
	assert_failure 2
	assert_stderr "vss: li x: unknown command; list takes: volumes, sets, shadows, storage, writers"
	vss list sets --json -xy
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: list sets: unknown option -x"
	vss list sets --json=yes
	assert_equal "${stderr_lines[0]}" "vss: list sets: option --json takes no value"
	# A bare -- ends options; it is not an abbreviation of one. (storage
	# add takes a device or a directory: the script file is not offered.)
	script 'set'
	mkdir "$BATS_TEST_TMPDIR/scratch"
	run "$VSS" __complete 3 storage add -- "$BATS_TEST_TMPDIR/scr"
	assert_output "$BATS_TEST_TMPDIR/scratch/"
}
