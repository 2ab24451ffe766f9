#!/usr/bin/env bats
# vsstui on a terminal (tmux) without device-mapper: the screen and its
# panels, help, focus, the filter, a writer verified and one failing, a
# resize, the signals that end it (exit 128+N, the terminal given back),
# NO_COLOR, and its usage errors. Where device-mapper cannot be used the
# volumes cannot be listed: the Log header says why, and that is expected.

load ../lib/common
load ../lib/tmux

setup() {
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf HOME=$BATS_TEST_TMPDIR/home
	unset NO_COLOR
	mkdir -p "$HOME" "$VSS_STATE_DIR"
	# (timeout 60: an ASan/UBSan vss starting a writer on a loaded host can
	# take seconds; no test here waits a timeout out.)
	conf "[writer alpha]" "command = /bin/true" "timeout = 60" "[writer beta]" "command = /bin/true" "timeout = 60"
	# The dashboard is the same binary, picked by its name.
	T=$BATS_TEST_TMPDIR/vsstui
	ln -sf "$VSS" "$T"
}

teardown() {
	tmux_stop
}

# conf LINE...: the configuration, 0644.
conf() {
	printf '%s\n' "$@" >"$VSS_CONFIG"
	chmod 0644 "$VSS_CONFIG"
}

# tui_start [ARGS...]: vsstui in tmux, its screen drawn.
tui_start() {
	tmux_start "$T" "$@"
	wait_last '^ F1 help'
}

# tmx ARGS...: tmux on this test's server.
tmx() {
	tmux -L "$TMUX_SOCK" "$@"
}

# tui_pid: vsstui's pid, the child of the pane's shell.
tui_pid() {
	local sh
	sh=$(tmx display -p '#{pane_pid}') || return 1
	pgrep -P "$sh" -x vsstui
}

# focused: the header of the focused panel (the one starting with '>').
focused() {
	screen | grep -E '^>' | awk '{print $1}'
}

# line_no TEXT REGEX: the number of TEXT's first line matching REGEX.
line_no() {
	grep -nE -- "$2" <<<"$1" | head -n 1 | cut -d: -f1
}

# pane_lines: the pane's lines, blank ones too, into the array L.
pane_lines() {
	mapfile -t L < <(tmx capture-pane -p)
}

# writer_script NAME BODY: an exec writer in a directory only its owner
# (root, or whoever runs the tests) may write, as vss requires.
writer_script() {
	W=$BATS_TEST_TMPDIR/w
	mkdir -p -m 0755 "$W"
	printf '#!/bin/sh\n%s\n' "$2" >"$W/$1"
	chmod 0755 "$W/$1"
}

# gone_cleanly CODE: vsstui exited with CODE, out of the alternate screen,
# the terminal sane (line editing and echo back).
gone_cleanly() {
	wait_screen "^EXITED $1\$"
	assert_equal "$(tmx display -p '#{alternate_on}')" 0
	run stty -F "$(tmx display -p '#{pane_tty}')" -a
	assert_success
	assert_output --regexp '(^|[ ;])icanon([ ;]|$)'
	assert_output --regexp '(^|[ ;])echo([ ;]|$)'
	refute_output --regexp '(^|[ ;])-icanon([ ;]|$)'
}

# signal_test SIG CODE: SIG ends vsstui with CODE, the terminal restored.
signal_test() {
	local pid
	tui_start
	# Drawn on the alternate screen while it runs.
	assert_equal "$(tmx display -p '#{alternate_on}')" 1
	run stty -F "$(tmx display -p '#{pane_tty}')" -a
	assert_output --regexp '(^|[ ;])-icanon([ ;]|$)'
	pid=$(tui_pid) || fail "no vsstui under the pane's shell"
	kill -s "$1" "$pid"
	gone_cleanly "$2"
	run pgrep -P "$(tmx display -p '#{pane_pid}')" -x vsstui
	assert_failure
}

@test "the screen: the title, the panels Volumes, Sets, Writers and Log, the writers stable, the keys; q quits with 0" {
	tui_start
	wait_screen '^  beta +exec +stable +- +-$'
	run screen
	assert_line --index 0 --regexp '^ vsstui  .*  [0-9]+ volumes  0 sets  2 writers +[0-9]{2}:[0-9]{2}:[0-9]{2}$'
	assert_line --index 1 ' no sets yet'
	assert_line --regexp '^ Volumes +NAME +SIZE +FS +MOUNTPOINT +DEVICE$'
	# The Sets panel has the focus at the start.
	assert_line --regexp '^>Sets +CREATED +LABEL +CONTEXT +PROV +FREEZE$'
	assert_line '  (no sets)'
	assert_line --regexp '^ Writers +TYPE +STATE +EVENT +TIME +FAILURE$'
	assert_line --regexp '^  alpha +exec +stable +- +-$'
	assert_line --regexp '^ Log( |$)'
	assert_equal "${lines[-1]}" ' F1 help  Tab panel  c create  d delete  e expose  u unexpose  r revert  v verify  / filter  q quit'
	# Panels in this order, the log below them, the keys last.
	[ "$(line_no "$output" '^ Volumes')" -lt "$(line_no "$output" '^>Sets')" ] &&
		[ "$(line_no "$output" '^>Sets')" -lt "$(line_no "$output" '^ Writers')" ] &&
		[ "$(line_no "$output" '^ Writers')" -lt "$(line_no "$output" '^ Log')" ] || fail "panels out of order:
$output"
	# Drawn on the alternate screen.
	assert_equal "$(tmx display -p '#{alternate_on}')" 1
	# Without device-mapper the volumes cannot be listed; the Log header says
	# why, in the words the CLI uses for it.
	if why=$("$VSS" list volumes 2>&1 >/dev/null); [ -n "$why" ]; then
		why=${why#vss: list volumes: }
		[ "$why" != "must be run as root" ] || why="volumes and sets: must be run as root"
		# As much as the 100 columns show, every character literal.
		wait_screen "^ Log  $(sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"${why:0:90}")"
		assert_line '  (no volumes)'
	fi
	keys q
	gone_cleanly 0
}

@test "? shows the keys; any key goes back; F1 too" {
	tui_start
	keys '?'
	wait_screen '^ vsstui: keys \(any key to go back\)$'
	run screen
	assert_line --regexp '^  F1, \?(, h)? +this help$'
	assert_line --regexp '^  Tab, Shift-Tab +the next or the previous panel$'
	assert_line --regexp '^  v +verify the selected writer \(vss writer verify NAME\)$'
	assert_line --regexp '^  / +filter the panels by a name, a label or an id$'
	assert_line --regexp '^  q, F10 +quit \(asks first while a command runs\)$'
	assert_line --regexp 'Every action runs the vss command it names'
	refute_line --regexp '^ Writers'
	# A key that would quit elsewhere only closes the help.
	keys q
	wait_screen '^ Writers +TYPE'
	run screen
	refute_line --partial 'any key to go back'
	assert_line --regexp '^  alpha +exec +stable'
	keys F1
	wait_screen '^ vsstui: keys'
	keys x
	wait_screen '^ Writers +TYPE'
	keys q
	gone_cleanly 0
}

@test "Tab and Shift-Tab move the focus: the focused panel's header starts with >" {
	tui_start
	assert_equal "$(focused)" '>Sets'
	keys Tab
	_wait_for focused '^>Writers$' "$WAIT_DEFAULT" || fail "Tab did not focus Writers: $(screen)"
	assert_equal "$(screen | grep -c '^>')" 1
	keys Tab
	_wait_for focused '^>Volumes$' "$WAIT_DEFAULT" || fail "Tab did not focus Volumes: $(screen)"
	keys Tab
	_wait_for focused '^>Sets$' "$WAIT_DEFAULT" || fail "Tab did not come back to Sets: $(screen)"
	keys BTab
	_wait_for focused '^>Volumes$' "$WAIT_DEFAULT" || fail "Shift-Tab did not go back to Volumes: $(screen)"
	assert_equal "$(screen | grep -c '^>')" 1
	keys BTab
	_wait_for focused '^>Writers$' "$WAIT_DEFAULT" || fail "Shift-Tab did not go back to Writers: $(screen)"
}

@test "/ filters the panels: non-matching writers hidden, 'filter: ...' in the status line; Esc clears it" {
	tui_start
	wait_screen '^  beta +exec'
	keys /
	wait_last '^Filter:'
	keys alp Enter
	wait_screen '^ no sets yet   filter: alp$'
	run screen
	assert_line --regexp '^  alpha +exec +stable'
	refute_line --regexp '^  beta '
	assert_line --regexp '^ F1 help'
	# No match at all: the panel says so.
	keys /
	wait_last '^Filter: alp$'
	keys C-u zzz Enter
	wait_screen 'filter: zzz$'
	run screen
	refute_line --regexp '^  (alpha|beta) '
	assert_line --partial '(nothing matches the filter)'
	# Esc in the prompt cancels it: the filter stays.
	keys /
	wait_last '^Filter: zzz$'
	keys C-u q Escape
	wait_last '^ F1 help'
	run screen
	assert_line --regexp 'filter: zzz$'
	# Esc on the dashboard clears it.
	keys Escape
	wait_screen '^ no sets yet$'
	wait_screen '^  beta +exec +stable'
	run screen
	assert_line --regexp '^  alpha +exec +stable'
	refute_line --partial 'filter:'
}

@test "v verifies the selected writer: the log shows the command, the writer's answer and done" {
	tui_start
	wait_screen '^  alpha +exec +stable +- +-$'
	# Not in the Writers panel: it says where to go.
	keys v
	wait_last '^ select a writer first \(Tab to the Writers panel\), or V for all$'
	keys Tab
	_wait_for focused '^>Writers$' "$WAIT_DEFAULT" || fail "no focus on Writers: $(screen)"
	keys v
	wait_screen '[0-9:]{8} vss writer verify -- alpha: done$'
	run screen
	assert_line --regexp '^ [0-9:]{8} running: vss writer verify -- alpha$'
	assert_line --regexp '^ [0-9:]{8} writer alpha: identify: OK in [0-9]+ ms$'
	assert_line --regexp '^ [0-9:]{8} writer verify: done in [0-9.]+ s$'
	refute_line --partial 'beta: identify'
	# In that order.
	a=$(line_no "$output" 'running: vss writer verify -- alpha$')
	b=$(line_no "$output" 'writer alpha: identify: OK')
	c=$(line_no "$output" 'writer verify: done in')
	d=$(line_no "$output" 'vss writer verify -- alpha: done$')
	[ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] && [ "$c" -lt "$d" ] || fail "the log is out of order ($a $b $c $d):
$output"
	# Its row: still stable, its last event identify.
	wait_screen '^  alpha +exec +stable +identify +-$'
	run screen
	assert_line --regexp '^  beta +exec +stable +- +-$'
	# And what vss itself recorded agrees.
	run "$VSS" list writers
	assert_line --regexp '^alpha +exec +stable +identify +identify [0-9]+ms'
	# j selects the next one.
	keys j v
	wait_screen 'vss writer verify -- beta: done$'
	wait_screen '^  beta +exec +stable +identify +-$'
}

@test "a writer failing identify: failed in the Writers panel with its event and reason; the command failed with exit 3" {
	writer_script bad 'echo "cannot reach the database" >&2; exit 1'
	conf "[writer alpha]" "command = /bin/true" "timeout = 60" "[writer bad]" "command = $W/bad" "timeout = 60"
	tui_start
	# Wide enough for the FAILURE column, high enough for 7 log lines.
	tmx resize-window -x 200 -y 40
	wait_screen '^  bad +exec +stable +- +-$'
	keys Tab j
	keys v
	wait_screen 'vss writer verify -- bad: failed \(exit 3\)$'
	run screen
	assert_line --regexp '^ [0-9:]{8} running: vss writer verify -- bad$'
	assert_line --regexp '^ [0-9:]{8} writer bad: identify: failed: exited with status 1: cannot reach the database$'
	assert_line --regexp '^ [0-9:]{8} vss: writer verify: writer bad: identify: exited with status 1: cannot reach the database$'
	# The end of the job's operation is told once, from its exit.
	refute_line --partial 'writer verify failed:'
	wait_screen '^  bad +exec +failed +identify: exited with status 1: cannot reach the database$'
	run screen
	assert_line --regexp '^  alpha +exec +stable +- +-$'
	# vss recorded it so.
	run "$VSS" list writers
	assert_line --regexp '^bad +exec +failed +identify .* at identify: exited with status 1: cannot reach the database$'
	keys q
	gone_cleanly 0
}

@test "a writer's failure reads the same in the Writers panel live and after a restart" {
	writer_script bad 'echo "cannot reach the database" >&2; exit 1'
	conf "[writer bad]" "command = $W/bad" "timeout = 60"
	tui_start
	tmx resize-window -x 200 -y 30
	wait_screen '^  bad +exec +stable'
	keys Tab v
	wait_screen 'vss writer verify -- bad: failed \(exit 3\)$'
	# (The whole line: the redraw at 200 columns may lag the resize.)
	wait_screen '^  bad +exec +failed .*database$'
	live=$(screen | grep -E '^  bad +exec +failed ')
	keys q
	wait_screen '^EXITED 0$'
	tmux_stop
	# Now from what vss recorded in the state directory.
	tmux_start "$T"
	tmx resize-window -x 200 -y 30
	wait_screen '^  bad +exec +failed .*database$'
	recorded=$(screen | grep -E '^  bad +exec +failed ')
	assert_equal "$recorded" "$(printf '  %-14s %-9s %-27s %s' bad exec failed \
		'identify: exited with status 1: cannot reach the database')"
	assert_equal "$live" "$recorded"
}

# resize_to W H LAST: the window resized, and L read until it has H lines
# the last of which is LAST (or $WAIT_DEFAULT seconds have passed, by the
# clock: the redraw of a loaded host's ASan/UBSan build can take seconds).
resize_to() {
	local end=$((${EPOCHREALTIME/./} + WAIT_DEFAULT * 1000000))
	tmx resize-window -x "$1" -y "$2"
	while :; do
		pane_lines
		[ "${#L[@]}" = "$2" ] && [ "${L[$2 - 1]}" = "$3" ] && break
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || break
		sleep 0.1
	done
}

@test "a resize redraws within the new size: 80x24, then 120x40" {
	local keyline=' F1 help  Tab panel  c create  d delete  e expose  u unexpose  r revert  v verify  / filter  q quit'
	tui_start
	resize_to 80 24 "${keyline:0:80}"
	assert_equal "$(tmx display -p '#{window_width}x#{window_height}')" 80x24
	assert_equal "${#L[@]}" 24
	# The key line cut to the width, on the last line.
	assert_equal "${L[23]}" "${keyline:0:80}"
	# The title across the new width: the clock ends at column 79.
	[[ ${L[0]} =~ ^\ vsstui\ \ .*\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] || fail "title: '${L[0]}'"
	assert_equal "${#L[0]}" 79
	printf '%s\n' "${L[@]}" | grep -Eq '^ Writers +TYPE' || fail "no Writers panel at 80x24"

	resize_to 120 40 "$keyline"
	assert_equal "$(tmx display -p '#{window_width}x#{window_height}')" 120x40
	assert_equal "${#L[@]}" 40
	assert_equal "${L[39]}" "$keyline"
	[[ ${L[0]} =~ ^\ vsstui\ \ .*\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] || fail "title: '${L[0]}'"
	assert_equal "${#L[0]}" 119
	# Nothing left of the smaller screen: its key line is nowhere.
	run screen
	refute_line "${keyline:0:80}"
	assert_line --regexp '^  alpha +exec +stable'
	assert_equal "$(grep -c '^ F1 help' <<<"$output")" 1
	keys q
	gone_cleanly 0
}

@test "SIGTERM: vsstui exits with 143, off the alternate screen, the terminal sane" {
	signal_test TERM 143
}

@test "SIGHUP: vsstui exits with 129, off the alternate screen, the terminal sane" {
	signal_test HUP 129
}

@test "SIGINT: vsstui exits with 130, off the alternate screen, the terminal sane" {
	signal_test INT 130
}

@test "q while a command runs asks first (n: it goes on); SIGTERM then stops the command and exits 143" {
	# It must still run when the test looks, however slowly the host gets
	# there: SIGTERM stops it, so its length costs nothing.
	writer_script slow 'sleep 300'
	conf "[writer slow]" "command = $W/slow" "timeout = 600"
	tui_start
	keys Tab v
	# Busy at identify, its timer running; the status line names the job.
	wait_screen '^  slow +exec +stable +identify +[0-9]+\.[0-9]s$'
	wait_screen '^ running: writer verify -- slow \([0-9.]+s\)  no sets yet$'
	keys q
	wait_last '^A command is running; stop it \(it undoes what it made\) and quit\? \[y/N\]$'
	keys n
	wait_last '^ F1 help'
	wait_screen '^ running: writer verify -- slow '
	pgrep -f "$W/slow" >/dev/null || fail "the writer is not running"
	kill -TERM "$(tui_pid)"
	gone_cleanly 143
	# The command was stopped, and its writer with it.
	run pgrep -f "$W/slow"
	assert_failure 1
	run pgrep -f 'vss -q writer verify -- slow'
	assert_failure 1
}

@test "NO_COLOR=1: no colours (reverse video where it matters), and the dashboard still runs" {
	# With colours first, so that their absence below means something.
	tui_start
	run tmx capture-pane -p -e
	assert_output --regexp $'\e\\[(3[0-7]|4[0-7])(;[0-9]+)*m'
	keys q
	wait_screen '^EXITED 0$'
	tmux_stop
	tmux_start env NO_COLOR=1 "$T"
	wait_last '^ F1 help'
	wait_screen '^  alpha +exec +stable'
	run tmx capture-pane -p -e
	refute_output --regexp $'\e\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]+)*m'
	# The title bar in reverse video.
	assert_line --index 0 --regexp $'^\e\\[7m vsstui  '
	keys Tab v
	wait_screen 'vss writer verify -- alpha: done$'
	keys q
	gone_cleanly 0
}

@test "vsstui -h: the usage on stdout, exit 0; -V the version" {
	run --separate-stderr "$T" -h
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 'Usage: vsstui [-C FILE] [-d SECONDS]'
	assert_line --regexp '^  -C, --config FILE +read FILE instead of /.*vss\.conf$'
	assert_line --regexp '^  -d, --delay SECONDS +read the lists again every SECONDS \(default 2\)$'
	assert_line 'See vsstui(8).'
	run --separate-stderr "$T" --help
	assert_success
	assert_line --index 0 'Usage: vsstui [-C FILE] [-d SECONDS]'
	run --separate-stderr "$T" -V
	assert_success
	assert_output --regexp '^vss [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "vsstui --bogus, vsstui extra: exit 2, one line naming the mistake, then the usage, on stderr" {
	run --separate-stderr "$T" -h
	usage=$output
	[ -n "$usage" ] || fail "no usage from -h"
	run --separate-stderr "$T" --bogus
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "vsstui: unknown option --bogus
$usage"
	run --separate-stderr "$T" extra
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "vsstui: unexpected argument 'extra'
$usage"
}

@test "vsstui -d: a number of seconds from 0.2 to 3600, else exit 2 and one line" {
	for d in 0 0.1 abc 3601 1x; do
		run --separate-stderr "$T" -d "$d"
		assert_equal "$status:$d" "2:$d"
		assert_output ""
		assert_equal "$stderr" "vsstui: --delay $d: not a number of seconds from 0.2 to 3600"
	done
	run --separate-stderr "$T" -d
	assert_failure 2
	assert_equal "$stderr" "vsstui: option -d needs a value"
}

@test "vsstui not on a terminal: exit 2, 'needs a terminal; use vss for scripts'" {
	run --separate-stderr "$T" </dev/null
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "vsstui: needs a terminal; use vss for scripts"
	# Its stdin alone not a terminal (stdout is): the same.
	tmux_start sh -c '"$0" </dev/null' "$T"
	wait_screen '^EXITED 2$'
	run screen
	assert_line --index 0 "vsstui: needs a terminal; use vss for scripts"
	assert_equal "$(tmx display -p '#{alternate_on}')" 0
}

@test "Ctrl-Z in a job-control shell stops vsstui with the terminal given back; fg redraws it whole" {
	# An interactive bash, as a user has: vsstui in a process group of its
	# own, which Ctrl-Z can stop (the kernel discards the stop signals of
	# a process group with no parent in the session to restart it).
	tmux_start env PS1='sh$ ' bash --norc --noprofile -i
	wait_last '^sh\$'
	keys "$T" Enter
	wait_last '^ F1 help'
	pid=$(pgrep -x vsstui -s "$(tmx display -p '#{pane_pid}')") || fail "no vsstui"
	keys C-z
	wait_screen 'Stopped'
	wait_last '^sh\$'
	assert_equal "$(ps -o stat= -p "$pid" | cut -c1)" T
	# (The tty's modes are bash's line editor's now: nothing to read there.)
	assert_equal "$(tmx display -p '#{alternate_on}')" 0
	keys fg Enter
	wait_screen '^ vsstui '
	wait_last '^ F1 help'
	assert_equal "$(tmx display -p '#{alternate_on}')" 1
	# And it still answers keys.
	keys '?'
	wait_screen '^ vsstui: keys'
	keys x q
	wait_last '^sh\$'
	keys 'echo "vsstui ended: $?"' Enter
	wait_screen '^vsstui ended: 0$'
}
