#!/usr/bin/env bats
# vsstui with real sets: a set made by another vss process shows
# live (its writer's state and timer during a held thaw, then the set);
# create, expose and delete with keys; a failing writer's reason; SIGTERM
# while the dashboard's own create-set is held leaves nothing behind.

load lib
load sets-lib
load writers-lib
load ../lib/tmux

teardown() {
	tmux_stop
	harness_teardown
}

# tui_start: vsstui (a link to $VSS, as make install makes) in tmux.
tui_start() {
	ln -sf "$VSS" "$BATS_TEST_TMPDIR/vsstui"
	tmux_start "$BATS_TEST_TMPDIR/vsstui" "$@"
	wait_last 'F1 help'
}

# timer_of NAME: the running timer of writer NAME's row of the screen on
# stdin, in tenths.
timer_of() {
	awk -v n="$1" '$1 == n { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]s$/) { sub(/s$/, "", $i); sub(/\./, "", $i); print $i + 0; exit } }'
}

@test "live: a set made by another vss shows its writer frozen with a running timer, then the set; the log follows it" {
	wsetup
	# (timeout 300: the writer holds thaw until the test has seen it, and
	# only a failure would wait that out.)
	conf "[writer x]" "type = coprocess" "command = $(writer x)" "volumes = ${MNT[a]}" "timeout = 300"
	tui_start
	wait_screen '^  x +coprocess +stable '
	# The writer holds thaw until the test lets it go (FW_RELEASE): held as
	# long as a loaded guest takes to read the screen, and no longer. (The
	# harness's teardown makes that file too: a failed test holds nothing.)
	export FW_AT=thaw FW_MODE=hold FW_RELEASE=$BATS_TEST_TMPDIR/stop
	bg "$VSS" create-set --label live "${PFX}a" >"$BATS_TEST_TMPDIR/out" 2>&1
	# During the held thaw: frozen, at thaw, with a timer that runs, and the
	# operation and its phase in the status line.
	wait_screen '^  x +coprocess +(frozen|waiting-for-thaw) +thaw +[0-9]+\.[0-9]s' 120
	s1=$(screen)
	t1=$(timer_of x <<<"$s1")
	[ -n "$t1" ] || fail "no timer: $s1"
	grep -Eq '^ create-set [0-9a-f]{8}: thaw \([0-9.]+s\)' <<<"$s1" || fail "no operation in the status line:
$s1"
	# The timer runs: a later screen shows more (by the clock, not after a
	# fixed pause: a loaded guest's dashboard may redraw late).
	end=$((${EPOCHREALTIME/./} + WAIT_DEFAULT * 1000000))
	while :; do
		sleep 0.2
		s2=$(screen)
		t2=$(timer_of x <<<"$s2")
		[ -n "$t2" ] && [ "$t2" -gt "$t1" ] && break
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || fail "the timer did not run: '$t1' then '$t2':
$s2"
	done
	touch "$FW_RELEASE"
	wait "$BG" || fail "create-set failed: $(cat "$BATS_TEST_TMPDIR/out")"
	SET=$(set_ids)
	[[ $SET =~ ^$UUID_RE$ ]] || fail "no set: $SET"
	# The set appears, with its shadow, and the writer is stable again.
	wait_screen "^  ${SET:0:8}  .* live +persistent +cow +1 vol"
	wait_screen "^      \`- ${PFX}a +cow "
	wait_screen '^  x +coprocess +stable +post-snapshot'
	wait_screen 'create-set: done in'
	screen | grep -Eq 'writer x: thaw: OK' || fail "the writer's answers are not in the log:
$(screen)"
	screen | grep -Eq "last set ${SET:0:8}: freeze window [0-9.]+ ms" || fail "no freeze window:
$(screen)"
	keys q
	wait_screen '^EXITED 0$'
}

@test "keys: create a set of a marked volume, expose its shadow, delete it after asking" {
	mkvol a 24
	mkfs_mount a
	echo "before" >"${MNT[a]}/f"
	sync -f "${MNT[a]}/f"
	conf "# no writers"
	tui_start
	# Wide enough for the test's long mountpoints.
	tmux -L "$TMUX_SOCK" resize-window -x 220 -y 30
	# To the Volumes panel, filtered to ours, mark it, create.
	keys BTab
	wait_screen '^>Volumes'
	keys / "${PFX}a" Enter
	wait_screen "^  ${PFX}a +24M +ext4 "
	keys Space
	wait_screen "^\\* ${PFX}a +24M"
	keys c
	wait_last "^Create a set of volumes: ${PFX}a\$"
	keys Enter
	wait_last '^Label \(empty: none\):'
	keys keyed Enter
	wait_last '^Writers \(all, none or NAME,NAME\): all$'
	keys Enter
	# (Each command the dashboard runs: 120 s, room for a loaded guest.)
	wait_screen "vss create-set --context persistent --label keyed --writers all -- ${PFX}a: done" 120
	SET=$(set_ids)
	[[ $SET =~ ^$UUID_RE$ ]] || fail "no set: $SET"
	# The filter matched the volume, and matches the set (its shadow's volume).
	wait_screen "^  ${SET:0:8}  .* keyed +persistent"
	# The shadow: expose it where vss puts it.
	keys Tab
	wait_screen '^>Sets'
	keys j e
	wait_screen "vss expose -- ${SET}/${PFX}a: done" 120
	wait_screen "^      \`- ${PFX}a .*valid +$VSS_RUN_DIR/${SET:0:8}/${PFX}a\$"
	assert_equal "$(cat "$VSS_RUN_DIR/${SET:0:8}/${PFX}a/f")" "before"
	# Delete: asked first; n leaves it.
	keys k d
	wait_last "^Delete set ${SET:0:8} \"keyed\" \\(1 shadow, exposed: unmounted first\\)\\? \\[y/N\\]"
	keys n
	wait_screen 'delete-set: not done'
	assert_equal "$(set_ids)" "$SET"
	keys d
	wait_last '^Delete set'
	keys y
	wait_screen "vss delete-set --force ${SET}: done" 120
	assert_equal "$(set_ids)" ""
	wait_screen '^  \(nothing matches the filter\)'
	keys Escape
	wait_screen "^  \(no sets\)"
	[ -z "$(vss_devices_of a)" ] || fail "vss devices left: $(vss_devices_of a)"
	keys q
	wait_screen '^EXITED 0$'
}

@test "keys: revert the selected set after asking; n leaves it, y rolls the volume back" {
	mkvol a 24
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=4 oflag=direct status=none
	conf "# no writers"
	new_set --cow-size 8M "${PFX}a"
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=2 seek=1 oflag=direct status=none
	# udev probes a device closed after a write: let it finish, or the
	# revert finds the volume open and is scheduled, not done.
	settle
	want=$(dsum "$(shadow "$SET" a)")
	tui_start
	wait_screen "^>Sets"
	wait_screen "^  $SET8 "
	keys r
	wait_last "^Revert every volume of the set to set $SET8\\? What was written to them since is lost\\. \\[y/N\\]"
	keys n
	wait_screen 'revert: not done'
	assert_equal "$(set_ids)" "$SET"
	keys j r
	wait_last "^Revert ${PFX}a to set $SET8\\? What was written to it since is lost\\. \\[y/N\\]"
	keys y
	wait_screen "vss revert --yes -- $SET ${PFX}a: done" 120
	wait_screen "^  \\(no sets\\)"
	assert_equal "$(dsum "${VOLDEV[a]}")" "$want"
	assert_equal "$(vss_devices_of a)" ""
	keys q
	wait_screen '^EXITED 0$'
}

@test "a writer that fails at freeze shows failed with its event and reason; the set was refused" {
	wsetup
	conf "[writer x]" "command = $(writer x)" "volumes = ${MNT[a]}"
	tui_start
	wait_screen '^  x +exec +stable '
	FW_AT=freeze FW_MODE=fail run "$VSS" create-set "${PFX}a"
	assert_equal "$status" 3
	wait_screen '^  x +exec +failed +freeze: exited with status 1: told to'
	wait_screen 'create-set failed: '
	assert_equal "$(set_ids)" ""
	not_frozen
}

@test "SIGTERM while the dashboard's own create-set is held at freeze: the set is undone, nothing frozen, the terminal given back" {
	wsetup
	conf "[vss]" "freeze_timeout = 120" "[writer x]" "command = $(writer x)" "volumes = ${MNT[a]}" "timeout = 120"
	BEFORE=$(wfp)
	export FW_AT=freeze FW_MODE=hang
	tui_start
	keys BTab / "${PFX}a" Enter
	wait_screen "^  ${PFX}a +24M"
	keys c
	wait_last "^Create a set of volumes: ${PFX}a\$"
	# The set begins; the filter goes, so that the writer shows.
	keys Enter Enter Enter Escape
	for _ in $(seq 1200); do
		[ "$(events x)" = "identify prepare-backup prepare-snapshot freeze" ] && break
		sleep 0.1
	done
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze"
	wait_screen '^  x +exec +waiting-for-freeze +freeze +[0-9]+\.[0-9]s'
	pkill -TERM -x vsstui || fail "no vsstui to signal"
	wait_screen '^EXITED 143$' 120
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze abort"
	assert_equal "$(tmux -L "$TMUX_SOCK" display -p '#{alternate_on}')" 0
	tty=$(tmux -L "$TMUX_SOCK" display -p '#{pane_tty}')
	run stty -F "$tty" -a
	assert_output --regexp '(^| )icanon( |$)'
	assert_output --regexp '(^| )echo( |$)'
	not_frozen
	assert_equal "$(set_ids)" ""
	assert_equal "$(wfp)" "$BEFORE"
	pgrep -x vss >/dev/null && fail "a vss outlived the dashboard: $(pgrep -a -x vss)"
	return 0
}
