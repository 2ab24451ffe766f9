#!/usr/bin/env bats
# vss's shell on a terminal (tmux): completion, history across sessions,
# Ctrl-C at the prompt, continued lines, Ctrl-D and exit.

load ../lib/common
load ../lib/tmux

setup() {
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME" "$VSS_STATE_DIR"
	# (timeout 60: an ASan/UBSan vss starting a writer on a loaded host can
	# take seconds; no test here waits a timeout out.)
	printf '[writer alpha]\ncommand = /bin/true\ntimeout = 60\n[writer beta]\ncommand = /bin/true\ntimeout = 60\n' >"$VSS_CONFIG"
	chmod 0644 "$VSS_CONFIG"
}

teardown() {
	tmux_stop
}

@test "Tab completes a command word, a group's word, an option and its value, a writer" {
	tmux_start "$VSS"
	wait_last '^vss>$'
	keys 'cre' Tab
	wait_screen '^vss> create-set$'
	keys '--con' Tab
	wait_screen '^vss> create-set --context$'
	keys 'a' Tab
	wait_screen '^vss> create-set --context auto-release$'
	keys C-u 'li' Tab
	wait_last '^vss> list$'
	# Several words fit: they are listed, the line kept.
	keys Tab
	wait_screen '^sets +shadows +storage +volumes +writers *$'
	wait_last '^vss> list$'
	keys 'w' Tab
	wait_last '^vss> list writers$'
	keys C-u 'writer verify ' Tab
	wait_screen '^alpha +beta *$'
	keys 'b' Tab Enter
	wait_screen '^vss> writer verify beta$'
	# beta's identify ran (/bin/true answers it) and the shell is back.
	wait_screen '^beta +exec +stable +identify +identify [0-9]+ms'
	wait_last '^vss>$'
}

@test "history: a second session recalls the first one's commands; ~/.vss_history is 0600" {
	tmux_start "$VSS"
	wait_last '^vss>$'
	keys 'set context auto-release' Enter
	wait_last '^vss>$'
	keys 'set verbose on' Enter 'exit' Enter
	wait_screen '^EXITED 0$'
	assert_equal "$(stat -c %a "$HOME/.vss_history")" 600
	tmux_stop
	tmux_start "$VSS"
	wait_last '^vss>$'
	keys Up
	wait_last '^vss> exit$'
	keys Up
	wait_last '^vss> set verbose on$'
	keys Up
	wait_last '^vss> set context auto-release$'
	keys Enter
	wait_last '^vss>$'
	keys 'set context' Enter
	wait_screen '^context +auto-release$'
}

@test "Ctrl-C clears the line and the shell goes on; Ctrl-D leaves with 0" {
	tmux_start "$VSS"
	wait_last '^vss>$'
	keys 'set context persistent'
	wait_screen '^vss> set context persistent$'
	keys C-c
	wait_last '^vss>$'
	keys 'set context' Enter
	# The line Ctrl-C cleared never ran.
	wait_screen '^context +default \(vss.conf\)$'
	keys 'set context bogus' Enter
	wait_screen 'must be persistent or auto-release'
	keys C-d
	wait_screen '^EXITED 0$'
}

@test "a quote left open continues on the next line; exit CODE leaves with CODE" {
	tmux_start "$VSS"
	wait_last '^vss>$'
	keys "set writers 'a" Enter
	wait_screen '^>$'
	keys "b' ; set writers" Enter
	wait_screen '^writers +a$'
	wait_screen '^b$'
	# A line ending in \ goes on too.
	keys 'set writers \' Enter
	wait_last '^>$'
	keys 'x,y; set writers' Enter
	wait_screen '^writers +x,y$'
	keys 'begin-backup' Enter
	wait_screen '^vss \(backup\)>$'
	keys 'end-backup' Enter 'exit 4' Enter
	wait_screen '^EXITED 4$'
}

@test "SIGTERM at the prompt ends vss alone (not whoever ran it); a line with a mistake runs none of its commands" {
	tmux_start bash -c '"$0"; echo "vss ended: $?"' "$VSS"
	wait_last '^vss>$'
	keys 'set writers a; set writers --bogus' Enter
	wait_screen '^vss: set: unknown option --bogus$'
	keys 'set writers' Enter
	# The first command of that line never ran.
	wait_screen '^writers +default'
	wait_last '^vss>$'
	pkill -TERM -x -f "$VSS" || fail "no vss to signal"
	# The bash that ran vss lives on and sees it die of SIGTERM.
	wait_screen '^vss ended: 143$'
	tty=$(tmux -L "$TMUX_SOCK" display -p '#{pane_tty}')
	run stty -F "$tty" -a
	assert_output --regexp '(^| )icanon( |$)'
	assert_output --regexp '(^| )echo( |$)'
}
