#!/usr/bin/env bats
# Configuration and state-directory errors, caught before device-mapper is touched.

load ../lib/common

setup() {
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	mkdir -p "$VSS_STATE_DIR"
	unset VSS_CONFIG VSS_LOCK_TIMEOUT
}

@test "a configuration file with errors: every one with FILE:LINE, exit 2" {
	conf=$BATS_TEST_TMPDIR/vss.conf
	printf '[vss]\nstate_dir = relative\nfrobs = 3\nlock_timeout = later\n' >"$conf"
	chmod 600 "$conf"
	vss -C "$conf" list volumes
	assert_failure 2
	assert_equal "$stderr" "vss: $conf:2: state_dir must be an absolute path, not 'relative'
vss: $conf:3: unknown key 'frobs' in [vss]
vss: $conf:4: lock_timeout: 'later' is not a duration in seconds"
	VSS_CONFIG=$conf vss list volumes
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: $conf:2: state_dir must be an absolute path, not 'relative'"
}

@test "a configuration file others could write is refused" {
	conf=$BATS_TEST_TMPDIR/vss.conf
	printf '[vss]\n' >"$conf"
	chmod 666 "$conf"
	vss -C "$conf" list volumes
	assert_failure 2
	assert_stderr "vss: $conf: refused: writable by everyone"
}

@test "a configuration file that does not exist, when named" {
	vss -C "$BATS_TEST_TMPDIR/none.conf" list volumes
	assert_failure 2
	assert_stderr "vss: $BATS_TEST_TMPDIR/none.conf: No such file or directory"
}

@test "the state directory is missing: made on first use, 0700" {
	[ "$(id -u)" = 0 ] || skip "the root check comes first for non-root users"
	VSS_STATE_DIR=$BATS_TEST_TMPDIR/missing/state vss list writers --json
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/missing/state")" 700
	assert_equal "$(find "$BATS_TEST_TMPDIR/missing/state" -mindepth 1 | wc -l)" 0
}

@test "the state directory's parent is a file: exit 2, naming it and why" {
	[ "$(id -u)" = 0 ] || skip "the root check comes first for non-root users"
	touch "$BATS_TEST_TMPDIR/file"
	VSS_STATE_DIR=$BATS_TEST_TMPDIR/file/state vss list volumes
	assert_failure 2
	assert_stderr "vss: list volumes: state directory $BATS_TEST_TMPDIR/file/state: $BATS_TEST_TMPDIR/file: not a directory (a regular file)"
	assert_equal "$(stat -c %F "$BATS_TEST_TMPDIR/file")" "regular empty file"
}

@test "the state directory cannot be made: exit 2, naming the directory it could not make" {
	[ "$(id -u)" = 0 ] || skip "the root check comes first for non-root users"
	# Not even root can make a directory in /proc.
	VSS_STATE_DIR=/proc/vss-test-$$/state vss list writers
	assert_failure 2
	assert_stderr "vss: list writers: state directory /proc/vss-test-$$/state: cannot create /proc/vss-test-$$: No such file or directory"
}

@test "the state directory is a file: exit 2" {
	[ "$(id -u)" = 0 ] || skip "the root check comes first for non-root users"
	touch "$BATS_TEST_TMPDIR/file"
	VSS_STATE_DIR=$BATS_TEST_TMPDIR/file vss list volumes
	assert_failure 2
	assert_stderr "vss: list volumes: state directory $BATS_TEST_TMPDIR/file: not a directory (a regular file)"
}

@test "a bad VSS_LOCK_TIMEOUT is a configuration error" {
	VSS_LOCK_TIMEOUT=soon vss list volumes
	assert_failure 2
	assert_stderr "vss: VSS_LOCK_TIMEOUT: 'soon' is not a duration in seconds"
}

# as_nobody ARGS...: runs vss as an unprivileged user. (A copy of it, in a
# directory nobody may enter: the build tree may lie under /root, 0700, as
# in a fresh root's clone.)
as_nobody() {
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "setpriv is not installed"
		local dir
		dir=$(mktemp -d /tmp/vss-nobody.XXXXXX)
		chmod 755 "$dir"
		install -m 755 "$VSS" "$dir/vss"
		run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$dir/vss" "$@"
		rm -rf "$dir"
		[ "$status" != 126 ] && [ "$status" != 127 ] || fail "user nobody cannot execute a copy of $VSS in $dir"
	else
		vss "$@"
	fi
}

@test "not root: commands that drive device-mapper refuse, exit 1" {
	as_nobody list volumes
	assert_equal "$status" 1
	assert_equal "$stderr" "vss: list volumes: must be run as root"
	as_nobody volume remove somename
	assert_equal "$status" 1
	assert_equal "$stderr" "vss: volume remove: must be run as root"
}

# A directory of nobody's outside bats' own (which nobody may not enter).
teardown() {
	[ -z "${NOBODY_DIR:-}" ] || rm -rf "$NOBODY_DIR"
}

@test "not root: a command a user may run works in the user's own state directory and neither makes nor reaches the run directory" {
	[ "$(id -u)" = 0 ] || skip "needs root to make a directory of nobody's"
	NOBODY_DIR=$(mktemp -d /tmp/vss-nobody-state.XXXXXX)
	chown 65534:65534 "$NOBODY_DIR"
	export VSS_STATE_DIR=$NOBODY_DIR/state VSS_RUN_DIR=$NOBODY_DIR/run
	as_nobody list writers --json
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	[ ! -e "$NOBODY_DIR/run" ] || fail "a run directory was made for a user's command"
	assert_equal "$(stat -c '%a %u' "$NOBODY_DIR/state")" "700 65534"
}

@test "device-mapper not available here: one line, exit 1" {
	[ "$(id -u)" = 0 ] || skip "needs root (the root check comes first)"
	! dmsetup version >/dev/null 2>&1 || skip "device-mapper works on this machine"
	vss list volumes
	assert_failure 1
	assert_stderr "vss: list volumes: device-mapper is not available: this kernel has no device-mapper driver, or /dev/mapper/control is missing"
}
