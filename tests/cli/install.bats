#!/usr/bin/env bats
# make install puts what a user needs where vss(8) says it is.

load ../lib/common

setup_file() {
	export BUILD=$(dirname "$VSS")
	export DEST=$BATS_FILE_TMPDIR/root
	[ -f "$BUILD/Makefile" ] || return 0
	env -u MAKEFLAGS -u MFLAGS make -s -C "$BUILD" install DESTDIR="$DEST" >"$BATS_FILE_TMPDIR/install.log" 2>&1
}

installed() {
	find "$DEST" -path "*/$1" | head -1
}

@test "vss is installed, and vsstui as a link to it" {
	[ -f "$BUILD/Makefile" ] || skip "not run from a build tree"
	vss_bin=$(installed sbin/vss)
	[ -x "$vss_bin" ] || fail "no sbin/vss under $DEST: $(cat "$BATS_FILE_TMPDIR/install.log")"
	tui=$(installed sbin/vsstui)
	[ -L "$tui" ]
	assert_equal "$(readlink "$tui")" vss
	# Not on a terminal: it says so, rather than drawing on a pipe.
	run --separate-stderr "$tui" </dev/null
	assert_failure 2
	assert_equal "$stderr" "vsstui: needs a terminal; use vss for scripts"
}

@test "the man page and the state directory are installed" {
	[ -f "$BUILD/Makefile" ] || skip "not run from a build tree"
	[ -f "$(installed man8/vss.8)" ]
	[ -f "$(installed man8/vsstui.8)" ]
	[ -d "$DEST/var/lib/vss" ]
	assert_equal "$(stat -c %a "$DEST/var/lib/vss")" 700
}

@test "bash completion is installed where bash-completion loads it" {
	[ -f "$BUILD/Makefile" ] || skip "not run from a build tree"
	f=$(installed share/bash-completion/completions/vss)
	[ -f "$f" ] || fail "no share/bash-completion/completions/vss under $DEST"
	cmp "$f" "$VSS_SRCDIR/completion/vss.bash"
}

@test "vss-activate.service is installed: vss activate at boot, before local filesystems mount" {
	[ -f "$BUILD/Makefile" ] || skip "not run from a build tree"
	unit=$(installed lib/systemd/system/vss-activate.service)
	[ -f "$unit" ] || fail "no lib/systemd/system/vss-activate.service under $DEST"
	sbin=$(dirname "$(installed sbin/vss)")
	prefix_sbin=${sbin#"$DEST"}
	run grep -x "ExecStart=$prefix_sbin/vss activate" "$unit"
	assert_success
	run grep -E '^Before=.*local-fs-pre\.target' "$unit"
	assert_success
	run grep -x 'DefaultDependencies=no' "$unit"
	assert_success
	run grep -c '@' "$unit"
	assert_output 0
	if command -v systemd-analyze >/dev/null; then
		# Every complaint names the unit (dependencies the build machine
		# lacks, lvm2's, are not complaints).
		run systemd-analyze verify --man=no --root="$DEST" "$unit"
		refute_output --partial "vss-activate.service"
	fi
}

@test "vss-monitor.service and vss-prune.timer are installed: vss monitor as a service, vss prune hourly" {
	[ -f "$BUILD/Makefile" ] || skip "not run from a build tree"
	sbin=$(dirname "$(installed sbin/vss)")
	prefix_sbin=${sbin#"$DEST"}
	mon=$(installed lib/systemd/system/vss-monitor.service)
	svc=$(installed lib/systemd/system/vss-prune.service)
	timer=$(installed lib/systemd/system/vss-prune.timer)
	[ -f "$mon" ] && [ -f "$svc" ] && [ -f "$timer" ] ||
		fail "missing units under $DEST: $(ls "$DEST"/*/lib/systemd/system "$DEST"/lib/systemd/system 2>&1)"
	run grep -x "ExecStart=$prefix_sbin/vss monitor" "$mon"
	assert_success
	run grep -x 'After=vss-activate.service' "$mon"
	assert_success
	run grep -x "ExecStart=$prefix_sbin/vss prune" "$svc"
	assert_success
	run grep -x 'Type=oneshot' "$svc"
	assert_success
	run grep -x 'OnCalendar=hourly' "$timer"
	assert_success
	run grep -c '@' "$mon" "$svc" "$timer"
	assert_output "$mon:0
$svc:0
$timer:0"
	if command -v systemd-analyze >/dev/null; then
		# Targets the bare root lacks (sysinit.target) are no complaint.
		run bash -c 'systemd-analyze verify --man=no --root="$1" "${@:2}" 2>&1 |
			grep -v "Unit [a-z0-9.-]*\.target not found"' - "$DEST" "$mon" "$svc" "$timer"
		refute_output --partial "vss-monitor"
		refute_output --partial "vss-prune"
	fi
}
