#!/usr/bin/env bats
# State and run directories vss must not trust (engine/base/trust.c): refused
# with exit 2 and one line naming the directory and why, and left exactly as
# they were. `list writers` needs no device-mapper.

load ../lib/common

setup() {
	[ "$(id -u)" = 0 ] || skip "needs root (vss checks its directories only as root, and chown)"
	T=$BATS_TEST_TMPDIR
	export VSS_STATE_DIR=$T/state VSS_RUN_DIR=$T/run
	unset VSS_CONFIG VSS_LOCK_TIMEOUT
}

# fingerprint DIR: every path under it (itself included), its mode and owner.
fingerprint() {
	find "$1" -printf '%p %m %u\n' | sort
}

# refused MESSAGE DIR: `vss list writers` exits 2 saying MESSAGE (after
# "vss: list writers: ") and leaves DIR as it was.
refused() {
	local before
	before=$(fingerprint "$2")
	vss list writers
	assert_failure 2
	assert_stderr "vss: list writers: $1"
	assert_equal "$output" ""
	assert_equal "$(fingerprint "$2")" "$before"
}

@test "a state directory owned by uid 65534: refused, left as it was" {
	mkdir -m 700 "$VSS_STATE_DIR"
	echo theirs >"$VSS_STATE_DIR/keep"
	chown -R 65534:65534 "$VSS_STATE_DIR"
	refused "state directory $VSS_STATE_DIR: owned by uid 65534, not by root" "$VSS_STATE_DIR"
	assert_equal "$(stat -c '%a %u %g' "$VSS_STATE_DIR")" "700 65534 65534"
	assert_equal "$(cat "$VSS_STATE_DIR/keep")" theirs
	assert_equal "$(ls -A "$VSS_STATE_DIR")" keep
}

@test "a state directory writable by others (0777): refused" {
	mkdir -m 777 "$VSS_STATE_DIR"
	refused "state directory $VSS_STATE_DIR: writable by others (mode 0777)" "$VSS_STATE_DIR"
	assert_equal "$(stat -c %a "$VSS_STATE_DIR")" 777
	assert_equal "$(ls -A "$VSS_STATE_DIR")" ""
}

@test "a state directory writable by its group (0770): refused" {
	mkdir -m 770 "$VSS_STATE_DIR"
	refused "state directory $VSS_STATE_DIR: writable by its group (mode 0770)" "$VSS_STATE_DIR"
	assert_equal "$(stat -c %a "$VSS_STATE_DIR")" 770
}

@test "a run directory owned by uid 65534: refused, left as it was" {
	mkdir -m 755 "$VSS_RUN_DIR"
	echo theirs >"$VSS_RUN_DIR/keep"
	chown -R 65534:65534 "$VSS_RUN_DIR"
	refused "run directory $VSS_RUN_DIR: owned by uid 65534, not by root" "$VSS_RUN_DIR"
	assert_equal "$(stat -c '%a %u %g' "$VSS_RUN_DIR")" "755 65534 65534"
	assert_equal "$(ls -A "$VSS_RUN_DIR")" keep
}

@test "a run directory writable by others (0777): refused" {
	mkdir -m 777 "$VSS_RUN_DIR"
	refused "run directory $VSS_RUN_DIR: writable by others (mode 0777)" "$VSS_RUN_DIR"
	assert_equal "$(stat -c %a "$VSS_RUN_DIR")" 777
	assert_equal "$(ls -A "$VSS_RUN_DIR")" ""
}

@test "a directory on the way writable by others, not sticky (0777): refused, nothing made in it" {
	mkdir -m 777 "$T/open"
	export VSS_STATE_DIR=$T/open/vss/state
	refused "state directory $VSS_STATE_DIR: $T/open: writable by others (mode 0777)" "$T/open"
	assert_equal "$(ls -A "$T/open")" ""
	assert_equal "$(stat -c %a "$T/open")" 777
}

@test "a directory on the way writable by others but sticky (1777, as /tmp): accepted" {
	mkdir -m 1777 "$T/sticky"
	export VSS_STATE_DIR=$T/sticky/state
	vss list writers
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(stat -c '%a %U' "$VSS_STATE_DIR")" "700 root"
	assert_equal "$(stat -c %a "$T/sticky")" 1777
}

@test "a state directory that is a root's link to a trusted directory: accepted, through it" {
	mkdir -m 700 "$T/real"
	ln -s "$T/real" "$VSS_STATE_DIR"
	before=$(fingerprint "$T/real")
	vss list writers
	assert_success
	assert_equal "$stderr" ""
	[ -L "$VSS_STATE_DIR" ] || fail "$VSS_STATE_DIR is no longer a link"
	assert_equal "$(readlink "$VSS_STATE_DIR")" "$T/real"
	assert_equal "$(fingerprint "$T/real")" "$before"
}

@test "a missing state directory is still made, 0700, its parents 0755" {
	export VSS_STATE_DIR=$T/lib/vss/state VSS_RUN_DIR=$T/run/vss
	vss list writers
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(stat -c '%a %U' "$VSS_STATE_DIR")" "700 root"
	assert_equal "$(stat -c %a "$T/lib" "$T/lib/vss")" "755
755"
	assert_equal "$(stat -c %a "$VSS_RUN_DIR")" 755
	assert_equal "$(find "$VSS_STATE_DIR" -mindepth 1 | wc -l)" 0
}

@test "check-config says what every command would: an untrusted or impossible state or run directory is exit 2; a missing one is OK and not made" {
	printf '[vss]\nfreeze_timeout = 5\n' >"$T/vss.conf"
	chmod 0644 "$T/vss.conf"
	# Missing, under a trusted directory: commands make it; checking does not.
	vss check-config "$T/vss.conf"
	assert_success
	assert_output "$T/vss.conf: OK (0 writers)"
	[ ! -e "$VSS_STATE_DIR" ] && [ ! -e "$VSS_RUN_DIR" ] || fail "check-config made a directory"
	# Under a sticky directory others may write, as /tmp: made there.
	mkdir -m 1777 "$T/sticky"
	VSS_STATE_DIR=$T/sticky/state vss check-config "$T/vss.conf"
	assert_success
	[ ! -e "$T/sticky/state" ] || fail "check-config made $T/sticky/state"
	mkdir -m 700 "$VSS_STATE_DIR"
	chown 65534 "$VSS_STATE_DIR"
	vss check-config "$T/vss.conf"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: check-config: state directory $VSS_STATE_DIR: owned by uid 65534, not by root"
	rmdir "$VSS_STATE_DIR"
	mkdir -m 777 "$T/open"
	export VSS_RUN_DIR=$T/open/deeper/run
	vss check-config "$T/vss.conf"
	assert_failure 2
	assert_stderr "vss: check-config: run directory $VSS_RUN_DIR: $T/open: writable by others (mode 0777)"
	[ ! -e "$T/open/deeper" ] || fail "check-config made $T/open/deeper"
	export VSS_RUN_DIR=$T/vss.conf/run
	vss check-config "$T/vss.conf"
	assert_failure 2
	assert_stderr "vss: check-config: run directory $VSS_RUN_DIR: $T/vss.conf: not a directory (a regular file)"
}
