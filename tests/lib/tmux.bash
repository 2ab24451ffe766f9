# Driving vss's shell through tmux: a private server per test, keys sent,
# the screen read back. Loaded after common.

# tmux_start COMMAND...: COMMAND in a new 100x30 session; after it exits the
# pane shows "EXITED <status>" and stays.
tmux_start() {
	command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps installs it)"
	TMUX_N=$((${TMUX_N:-0} + 1))
	TMUX_SOCK=vss-test-$$-$BATS_TEST_NUMBER-$TMUX_N
	local cmd
	printf -v cmd '%q ' "$@"
	tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x 100 -y 30 \
		"$cmd; echo EXITED \$?; sleep 600"
}

# Whatever still runs in the pane is killed first, by its session: a hang
# up (kill-server alone) of an ASan build still at its prompt can leave it
# spinning forever in LeakSanitizer's exit-time check, an orphan eating a
# core for the rest of the run.
tmux_stop() {
	[ -n "${TMUX_SOCK:-}" ] || return 0
	local sid
	sid=$(tmux -L "$TMUX_SOCK" display -p '#{pane_pid}' 2>/dev/null) &&
		[ -n "$sid" ] && pkill -KILL -s "$sid" 2>/dev/null
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
}

keys() {
	tmux -L "$TMUX_SOCK" send-keys -- "$@"
}

# screen: the pane's text (tmux drops trailing blanks of each line), trailing
# blank lines left out.
screen() {
	tmux -L "$TMUX_SOCK" capture-pane -p | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# _wait_for READER REGEX SECONDS: until READER's text matches (grep -E).
# By the clock, not by a count of tries: in a loaded guest one read of the
# screen can take a second.
_wait_for() {
	local end=$((${EPOCHREALTIME/./} + $3 * 1000000))
	while :; do
		"$1" | grep -Eq -- "$2" && return 0
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# last_line: the pane's last non-blank line.
last_line() {
	screen | tail -n 1
}

# WAIT_DEFAULT: how long wait_screen and wait_last wait unless told. A wait
# ends as soon as the screen matches: this is only what a failure costs, so
# it is generous (a loaded host running ASan/UBSan builds and guests can
# take many seconds to start a program and draw).
WAIT_DEFAULT=60

# wait_screen REGEX [SECONDS]: until some line of the screen matches.
wait_screen() {
	_wait_for screen "$1" "${2:-$WAIT_DEFAULT}" || fail "the screen never showed /$1/:
$(screen)"
}

# wait_last REGEX [SECONDS]: until the last line matches.
wait_last() {
	_wait_for last_line "$1" "${2:-$WAIT_DEFAULT}" || fail "the last line never showed /$1/:
$(screen)"
}
