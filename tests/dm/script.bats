#!/usr/bin/env bats
# Scripts and the shell with real sets: a whole backup as a
# script (begin-backup, an auto-release set, expose, exec over the shadows,
# end-backup), what a failing or interrupted script leaves (nothing), and
# the shell's set-id completion and Ctrl-C during a create-set.

load lib
load sets-lib
load writers-lib
load ../lib/tmux

S=

# script LINE...: the script $S of those lines.
script() {
	S=$BATS_TEST_TMPDIR/backup.vss
	printf '%s\n' "$@" >"$S"
}

# sfp: what the session may change, less the default storage area's
# record, which the first set of a state directory writes once for good.
sfp() {
	wfp | grep -v '/state/areas/default\.conf$'
}

teardown() {
	tmux_stop
	harness_teardown
}

@test "a backup script: the program sees the shadows at the set's instant; writers hear backup-complete at end-backup; the set goes at the end" {
	wsetup
	mkvol b 24
	mkfs_mount b
	fill_files "${MNT[a]}" 3
	fill_files "${MNT[b]}" 2
	sum_a=$(tree_sum "${MNT[a]}") sum_b=$(tree_sum "${MNT[b]}")
	conf "[writer c]" "type = coprocess" "command = $(writer c)" "volumes = ${MNT[a]}"
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT"
	cat >"$W/backup" <<-EOF2
	#!/bin/sh
	set -eu
	cp "\$FW_LOG" "$OUT/log-at-backup"
	env | grep -E '^VSS_(SET_|VOLUMES=|SHADOW_|MOUNT_)' | sort >"$OUT/env"
	mkdir "$OUT/a" "$OUT/b"
	cp -a "\$VSS_MOUNT_${PFX}a/." "$OUT/a/"
	cp -a "\$VSS_MOUNT_${PFX}b/." "$OUT/b/"
	EOF2
	chmod 0755 "$W/backup"
	BEFORE=$(sfp)
	script '# nightly backup' \
		'set on-error stop' \
		'begin-backup' \
		"create-set --context auto-release --label nightly ${PFX}a ${PFX}b" \
		"# the origin changes after the set: the backup must not see it" \
		"exec sh -c 'echo changed >${MNT[a]}/note && rm -r ${MNT[b]}/d && sync'" \
		'expose nightly' \
		"exec $W/backup" \
		'end-backup' \
		"exec cp $FW_LOG $OUT/log-after-end"
	vss -q -f "$S"
	assert_success
	assert_stderr ""
	id=$(sed -n 's/^VSS_SET_ID=//p' "$OUT/env")
	[[ $id =~ ^$UUID_RE$ ]] || fail "no VSS_SET_ID: $(cat "$OUT/env")"
	assert_equal "$(cat "$OUT/env")" "VSS_MOUNT_${PFX}a=$VSS_RUN_DIR/${id:0:8}/${PFX}a
VSS_MOUNT_${PFX}b=$VSS_RUN_DIR/${id:0:8}/${PFX}b
VSS_SET_ID=$id
VSS_SET_LABEL=nightly
VSS_SHADOW_${PFX}a=/dev/mapper/vss-${id:0:8}-${PFX}a
VSS_SHADOW_${PFX}b=/dev/mapper/vss-${id:0:8}-${PFX}b
VSS_VOLUMES=${PFX}a ${PFX}b"
	# What was copied is what the volumes held at the set, not after.
	assert_equal "$(tree_sum "$OUT/a")" "$sum_a"
	assert_equal "$(tree_sum "$OUT/b")" "$sum_b"
	assert_equal "$(cat "${MNT[a]}/note")" changed
	# During the backup the writer waits; end-backup tells it, once.
	assert_equal "$(FW_LOG=$OUT/log-at-backup events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot"
	# (and its sequence ends there: a coprocess sees the end of its input)
	assert_equal "$(FW_LOG=$OUT/log-after-end events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot backup-complete eof"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot backup-complete eof"
	# The session's auto-release set is gone with its mounts; nothing else changed.
	assert_equal "$(set_ids)" ""
	assert_equal "$(sfp)" "$BEFORE"
}

@test "a failing exec stops the script at its line with exit 1; later lines do not run; the auto-release set goes; writers are not told backup-complete" {
	wsetup
	conf "[writer c]" "type = coprocess" "command = $(writer c)" "volumes = ${MNT[a]}"
	BEFORE=$(sfp)
	script "create-set --context auto-release ${PFX}a" \
		"exec sh -c 'exit 5'" \
		"exec touch $BATS_TEST_TMPDIR/not-run"
	vss -q -f "$S"
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "$S:2: exec: sh: exited with status 5"
	[[ ${stderr_lines[1]} =~ ^vss:\ warning:\ set\ [0-9a-f]{8}:\ the\ backup\ did\ not\ complete\;\ its\ writers\ are\ not\ told\ backup-complete$ ]] ||
		fail "unexpected: $stderr"
	assert_equal "${#stderr_lines[@]}" 2
	[ ! -e "$BATS_TEST_TMPDIR/not-run" ] || fail "the line after the failure ran"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot eof"
	assert_equal "$(set_ids)" ""
	assert_equal "$(sfp)" "$BEFORE"
	# on-error continue: the next line runs; the status is still 1, and a
	# session that failed still does not complete its backup.
	rm -f "$FW_LOG"
	script 'set on-error continue' "create-set --context auto-release ${PFX}a" \
		"exec false" "exec touch $BATS_TEST_TMPDIR/ran"
	vss -q -f "$S"
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "$S:3: exec: false: exited with status 1"
	[ -e "$BATS_TEST_TMPDIR/ran" ] || fail "on-error continue did not go on"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot eof"
	assert_equal "$(set_ids)" ""
	assert_equal "$(sfp)" "$BEFORE"
	# Inside a backup: end-backup after a failure does not complete it.
	rm -f "$FW_LOG"
	script 'set on-error continue' 'begin-backup' "create-set --context auto-release ${PFX}a" \
		"exec false" "end-backup" "exec touch $BATS_TEST_TMPDIR/after-end"
	vss -q -f "$S"
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "$S:4: exec: false: exited with status 1"
	assert_equal "${stderr_lines[1]}" "$S:5: end-backup: a command failed since begin-backup: the backup did not complete"
	[[ ${stderr_lines[2]} =~ ^vss:\ warning:\ set\ [0-9a-f]{8}:\ the\ backup\ did\ not\ complete ]] ||
		fail "unexpected: $stderr"
	[ -e "$BATS_TEST_TMPDIR/after-end" ] || fail "the script stopped at end-backup"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot eof"
	assert_equal "$(set_ids)" ""
	assert_equal "$(sfp)" "$BEFORE"
}

@test "a persistent set made in a backup: its writers wait for end-backup; a backup left open is not completed (exit 1)" {
	wsetup
	conf "[writer c]" "type = coprocess" "command = $(writer c)" "volumes = ${MNT[a]}"
	vss -q -c "begin-backup; create-set ${PFX}a; exec cp $FW_LOG $BATS_TEST_TMPDIR/mid; end-backup"
	assert_success
	assert_equal "$(FW_LOG=$BATS_TEST_TMPDIR/mid events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot backup-complete eof"
	assert_equal "$(set_ids | wc -l)" 1
	rm -f "$FW_LOG"
	vss -q -c "begin-backup; create-set ${PFX}a"
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "vss: begin-backup without end-backup: the backup did not complete"
	[[ ${stderr_lines[1]} =~ ^vss:\ warning:\ set\ [0-9a-f]{8}:\ the\ backup\ did\ not\ complete ]] ||
		fail "unexpected: $stderr"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot eof"
	# A persistent set stays; its writer is stable again, not waiting.
	assert_equal "$(set_ids | wc -l)" 2
	run --separate-stderr "$VSS" list writers --json
	assert_equal "$(jq -r '.writers[] | select(.name == "c") | .state' <<<"$output")" stable
	# The session's own auto-release set, deleted by it: nothing left to
	# do at the end, no failure; its writer is not told backup-complete.
	rm -f "$FW_LOG"
	vss -q -c "delete-set --all; create-set --context auto-release ${PFX}a; delete-set --all"
	assert_success
	[[ $stderr =~ ^vss:\ warning:\ set\ [0-9a-f]{8}:\ the\ backup\ did\ not\ complete[^$'\n']*$ ]] ||
		fail "unexpected: $stderr"
	assert_equal "$(events c)" "identify prepare-backup prepare-snapshot freeze thaw post-snapshot eof"
	assert_equal "$(set_ids)" ""
}

@test "SIGTERM during exec: the program hears it, the auto-release set goes, vss dies of SIGTERM" {
	wsetup
	BEFORE=$(sfp)
	cat >"$W/slow" <<-EOF2
	#!/bin/sh
	trap 'echo terminated >"$BATS_TEST_TMPDIR/term"; exit 143' TERM
	echo \$\$ >"$BATS_TEST_TMPDIR/started"
	sleep 60 &
	wait
	EOF2
	chmod 0755 "$W/slow"
	script "create-set --context auto-release --writers none ${PFX}a" "exec $W/slow" \
		"exec touch $BATS_TEST_TMPDIR/not-run"
	bg "$VSS" -q -f "$S"
	# (A minute and more: a loaded guest's create-set can take long.)
	for _ in $(seq 600); do [ -s "$BATS_TEST_TMPDIR/started" ] && break; sleep 0.1; done
	[ -s "$BATS_TEST_TMPDIR/started" ] || fail "the program never started"
	assert_equal "$(set_ids | wc -l)" 1
	kill -TERM "$BG"
	st=0
	wait "$BG" || st=$?
	assert_equal "$st" 143
	assert_equal "$(cat "$BATS_TEST_TMPDIR/term")" terminated
	[ ! -e "$BATS_TEST_TMPDIR/not-run" ] || fail "the script went on after SIGTERM"
	assert_equal "$(set_ids)" ""
	assert_equal "$(sfp)" "$BEFORE"
}

@test "the shell: Tab completes a set id; Ctrl-C during a create-set held by a writer aborts that set and the shell goes on" {
	wsetup
	# Neither the writer's timeout nor freeze_timeout may end the hang at
	# freeze before Ctrl-C does, however slowly a loaded guest gets there.
	conf "[vss]" "freeze_timeout = 120" "[writer x]" "command = $(writer x)" "volumes = ${MNT[a]}" "timeout = 120"
	new_set --writers none --label weekly "${PFX}a"
	BEFORE=$(sfp)
	export FW_AT=freeze FW_MODE=hang HOME=$BATS_TEST_TMPDIR
	tmux_start "$VSS"
	wait_last '^vss>$'
	keys "show ${SET:0:5}" Tab
	wait_last "^vss> show $SET\$"
	keys Enter
	wait_screen "^ *Set: +$SET\$"
	wait_last '^vss>$'
	# A label, and a volume's name, complete too.
	keys "show wee" Tab
	wait_last '^vss> show weekly$'
	keys C-u "create-set ${PFX:0:5}" Tab
	wait_last "^vss> create-set ${PFX}a\$"
	keys Enter
	for _ in $(seq 1200); do
		[ "$(events x)" = "identify prepare-backup prepare-snapshot freeze" ] && break
		sleep 0.1
	done
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze"
	keys C-c
	wait_last '^vss>$' 120
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze abort"
	screen | grep -E '^vss: create-set: .*interrupted' || fail "no message of the interrupted set: $(screen)"
	not_frozen
	assert_equal "$(set_ids)" "$SET"
	assert_equal "$(sfp)" "$BEFORE"
	# The shell lives on: another command runs.
	keys 'list sets' Enter
	wait_screen "^${SET:0:8}"
	wait_last '^vss>$'
	keys 'exit' Enter
	wait_screen '^EXITED 0$'
}
