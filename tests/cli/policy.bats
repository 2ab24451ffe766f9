#!/usr/bin/env bats
# The storage policy and retention keys of vss.conf, and the usage of prune
# and monitor, without device-mapper (tests/dm/policy.bats does the rest).

load ../lib/common

setup() {
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	mkdir -p "$VSS_STATE_DIR"
	unset VSS_CONFIG VSS_LOCK_TIMEOUT
	CONF=$BATS_TEST_TMPDIR/vss.conf
}

conf() {
	printf '%s\n' "$@" >"$CONF"
	chmod 0644 "$CONF"
}

@test "check-config: every policy and retention key with a good value is OK" {
	conf "[vss]" "max_sets_per_volume = 0" "storage_max = 20G" "on_full = delete-oldest" \
		"warn_at = 70%" "full_at = 95" "monitor_interval = 2.5" "keep_last = 5" \
		"keep_within = 36h" "keep_hourly = 24" "keep_daily = 7" "keep_weekly = 4" \
		"keep_monthly = 12"
	vss check-config "$CONF"
	assert_success
	assert_output "$CONF: OK (0 writers)"
	conf "[vss]" "storage_max = none" "on_full = refuse" "max_sets_per_volume = 100000"
	vss check-config "$CONF"
	assert_success
}

@test "check-config: each bad policy value is one line with FILE:LINE and why (exit 2)" {
	conf "[vss]" "max_sets_per_volume = -1" "storage_max = lots" "on_full = delete-newest" \
		"warn_at = 0%" "full_at = 101%" "monitor_interval = 0.5" "keep_last = x" \
		"keep_within = forever" "keep_hourly = 1e3" "keep_daily = " "keep_weekly = 100001" \
		"keep_monthly = +2" "storage_max = 1G"
	vss check-config "$CONF"
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "vss: $CONF:2: max_sets_per_volume '-1': must be a number from 0 (no limit) to 100000
vss: $CONF:3: storage_max 'lots': must be a size (20G) or none
vss: $CONF:4: on_full 'delete-newest': must be refuse or delete-oldest
vss: $CONF:5: warn_at '0%': must be a percentage from 1% to 100%
vss: $CONF:6: full_at '101%': must be a percentage from 1% to 100%
vss: $CONF:7: monitor_interval '0.5': must be a duration in seconds from 1 to 3600
vss: $CONF:8: keep_last 'x': must be a number from 0 to 100000
vss: $CONF:9: keep_within 'forever': must be an age (90m, 36h, 14d, 8w)
vss: $CONF:10: keep_hourly '1e3': must be a number from 0 to 100000
vss: $CONF:11: keep_daily '': must be a number from 0 to 100000
vss: $CONF:12: keep_weekly '100001': must be a number from 0 to 100000
vss: $CONF:13: keep_monthly '+2': must be a number from 0 to 100000
vss: $CONF:14: storage_max is given twice in [vss]"
	conf "[vss]" "storage_max = 0"
	vss check-config "$CONF"
	assert_failure 2
	assert_stderr "vss: $CONF:2: storage_max '0': must be a size (20G) or none"
}

@test "check-config: warn_at must be below full_at, named at the later of the two lines" {
	conf "[vss]" "full_at = 70%" "warn_at = 80%"
	vss check-config "$CONF"
	assert_failure 2
	assert_stderr "vss: $CONF:3: warn_at (80%) must be below full_at (70%)"
	# The defaults (80%, 90%) against one given key.
	conf "[vss]" "full_at = 80"
	vss check-config "$CONF"
	assert_failure 2
	assert_stderr "vss: $CONF:2: warn_at (80%) must be below full_at (80%)"
}

@test "prune: a bad option is exit 2, one line naming it, then the usage" {
	for args in "--keep-last x" "--keep-daily -1" "--keep-within forever" "--keep-weekly 100001"; do
		vss prune $args
		assert_failure 2
		assert_equal "${#stderr_lines[@]}" 2
		[[ ${stderr_lines[1]} == "Usage: vss prune "* ]] || fail "no usage line: $stderr"
	done
	vss prune --keep-last x
	assert_equal "${stderr_lines[0]}" "vss: prune: --keep-last x: not a number from 0 to 100000"
	vss prune --keep-within forever
	assert_equal "${stderr_lines[0]}" "vss: prune: --keep-within forever: not an age (90m, 36h, 14d, 8w)"
	vss prune extra
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: prune: unexpected argument 'extra'"
	vss prune --bogus
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: prune: unknown option --bogus"
}

@test "monitor: --interval out of range or not a duration is exit 2, one line, then the usage" {
	for v in 0 0.5 3601 soon; do
		vss monitor --interval "$v"
		assert_failure 2
		assert_equal "${stderr_lines[0]}" "vss: monitor: --interval $v: must be a duration in seconds from 1 to 3600"
		[[ ${stderr_lines[1]} == "Usage: vss monitor "* ]] || fail "no usage line: $stderr"
	done
	vss monitor now
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: monitor: unexpected argument 'now'"
}
