#!/usr/bin/env bats
# The command line itself: needs neither root nor device-mapper.

load ../lib/common

@test "--version and -V print the version" {
	vss --version
	assert_success
	assert_output --regexp '^vss [0-9]+\.[0-9]+\.[0-9]+$'
	vss -V
	assert_output --regexp '^vss [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "-h and help list every command of the table" {
	vss -h
	assert_success
	assert_line --index 0 "Usage: vss [OPTIONS] COMMAND [ARGUMENTS]"
	assert_line '  volume import [--thin SIZE] DEVICE NAME'
	assert_line --regexp '^ +wrap a block device as the managed volume'
	assert_line --regexp '^  volume remove \[--yes\] NAME +undo an import'
	assert_line --regexp '^  list volumes \[--output COLUMNS\] \[--noheadings\] \[--raw\] \[--bytes\] \[--json\] \[VOLUME\.\.\.\]$'
	help_h=$output
	vss help
	assert_success
	assert_equal "$output" "$help_h"
}

@test "help COMMAND shows that command" {
	vss help volume import
	assert_success
	assert_line --index 0 "Usage: vss volume import [--thin SIZE] DEVICE NAME"
	vss help volume
	assert_success
	assert_line "Usage: vss volume import [--thin SIZE] DEVICE NAME"
	assert_line "Usage: vss volume remove [--yes] NAME"
	vss help frobnicate
	assert_failure 2
	assert_stderr "vss: help: frobnicate: unknown command; see 'vss help'"
}

@test "no command, an unknown command, an incomplete one: exit 2 and one line" {
	# No command and stdin not a terminal: stdin is the script (empty here).
	run --separate-stderr "$VSS" </dev/null
	assert_success
	assert_output ""
	assert_stderr ""
	vss frobnicate
	assert_failure 2
	assert_stderr "vss: frobnicate: unknown command; see 'vss help'"
	vss volume
	assert_failure 2
	assert_stderr "vss: volume: needs one of: import, remove"
	vss volume explode x
	assert_failure 2
	assert_stderr "vss: volume explode: unknown command; volume takes: import, remove"
}

@test "unknown and incomplete global options: exit 2" {
	vss --frobnicate
	assert_failure 2
	assert_stderr "vss: unknown option --frobnicate; see 'vss help'"
	vss -Z
	assert_failure 2
	assert_stderr "vss: unknown option -Z; see 'vss help'"
	vss -C
	assert_failure 2
	assert_stderr "vss: option -C needs a value"
}

@test "command options are checked before anything else" {
	vss list volumes --bogus
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: list volumes: unknown option --bogus"
	assert_equal "${stderr_lines[1]}" "Usage: vss list volumes [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [VOLUME...]"
}

@test "vsstui is the same binary, picked by its name; off a terminal it says it needs one" {
	ln -s "$VSS" "$BATS_TEST_TMPDIR/vsstui"
	run --separate-stderr "$BATS_TEST_TMPDIR/vsstui" </dev/null
	assert_failure 2
	assert_equal "$stderr" "vsstui: needs a terminal; use vss for scripts"
	# The same binary as vss: its version.
	run --separate-stderr "$BATS_TEST_TMPDIR/vsstui" --version
	assert_success
	assert_equal "$output" "$("$VSS" --version)"
}
