#!/usr/bin/env bats
# contrib/writers/postgres-writer against a real PostgreSQL server whose data
# directory lives on a vss volume: create-set with the writer as a coprocess
# writer, the backup label it keeps, and restores of the exposed shadow (as a
# base backup with that label and the WAL archive, and as a crash-consistent
# copy) that reach a consistent state holding exactly the rows of the set.
# Needs the Debian postgresql package; skipped, saying so, without it.

load lib
load sets-lib

# The harness's setup and teardown (sets-lib's), under other names.
eval "$(declare -f setup | sed '1s/^setup/lib_setup/')"
eval "$(declare -f teardown | sed '1s/^teardown/sets_lib_teardown/')"

PORT_ORIG=54321
PORT_LABEL=54322
PORT_CRASH=54323

setup() {
	lib_setup
	# Two minutes of PostgreSQL: once per run of tests/run is enough. The
	# writer is a shell script, and vss's side of it runs under ASan in
	# writers.bats, so the udev run (plain build) takes it.
	one_build plain "two minutes of PostgreSQL (vss's side of writers is in writers.bats in both runs)"
	PGBIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/postgres" ] || [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/psql" ]; then
		skip "PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin; apt-get install postgresql)"
	fi
	id -u postgres >/dev/null 2>&1 || skip "no postgres user (the postgresql package makes it)"
	command -v runuser >/dev/null || skip "no runuser"
	# The postgres user must reach its data directory, sockets and logs,
	# all below the test's directory: let it through (search only).
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ -n "$d" ]; do
		chmod a+x "$d"
		d=$(dirname "$d")
	done
	# A unix socket path must fit in 107 bytes.
	SOCK=$BATS_TEST_TMPDIR/s
	if [ ${#SOCK} -gt 60 ]; then
		SOCK=$(mktemp -d /tmp/vss-pgsock.XXXXXX)
		echo "$SOCK" >"$BATS_TEST_TMPDIR/sock.path"
	fi
	ARCH=$BATS_TEST_TMPDIR/archive
	LOGS=$BATS_TEST_TMPDIR/pglogs
	LABELS=$BATS_TEST_TMPDIR/l
	mkdir -p "$SOCK" "$ARCH" "$LOGS"
	chown postgres: "$SOCK" "$ARCH" "$LOGS"
	chmod 0755 "$SOCK"
}

# Every server a test started stops, whatever happened, before the volumes
# and exposed shadows go (they hold files on them).
teardown() {
	local d pid
	if [ -e "$BATS_TEST_TMPDIR/pg.dirs" ]; then
		while read -r d; do
			[ -e "$d/postmaster.pid" ] || continue
			runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
			pid=$(head -n 1 "$d/postmaster.pid" 2>/dev/null || true)
			if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
				kill -KILL "$pid" 2>/dev/null || true
				sleep 1
			fi
		done <"$BATS_TEST_TMPDIR/pg.dirs"
	fi
	sets_lib_teardown
	if [ -e "$BATS_TEST_TMPDIR/sock.path" ]; then
		rm -rf -- "$(cat "$BATS_TEST_TMPDIR/sock.path")"
	fi
}

# pg_start DATADIR PORT NAME: starts a server (unix socket only) logging to
# $LOGS/NAME.log; fails the test with its log if it does not come up.
pg_start() {
	echo "$1" >>"$BATS_TEST_TMPDIR/pg.dirs"
	if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$1" -l "$LOGS/$3.log" -w -t 180 \
		-o "-p $2 -k $SOCK -c listen_addresses=''" start >/dev/null; then
		fail "server $3 did not start: $(tail -n 30 "$LOGS/$3.log")"
	fi
}

# pg_sql PORT SQL: one statement's rows, unaligned, no headers; fails on error.
pg_sql() {
	runuser -u postgres -- "$PGBIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$1" -d postgres -c "$2"
}

# restore_copy DIR: the shadow's data directory copied to DIR, as a restore
# would: without the old server's pid file.
restore_copy() {
	cp -a "$EXPOSED/${PFX}a/pgdata" "$1"
	rm -f "$1/postmaster.pid" "$1/postmaster.opts"
	[ "$(stat -c %U "$1")" = postgres ] || fail "the copy of the data directory is not owned by postgres"
}

@test "postgres-writer: create-set with a live server on the volume keeps a backup label; the shadow restores to the set's rows" {
	mkvol a 256
	mkfs_mount a
	data=${MNT[a]}/pgdata
	mkdir "$data"
	chown postgres: "$data"
	chmod 0700 "$data"
	run runuser -u postgres -- "$PGBIN/initdb" -D "$data" -A peer --auth-host=reject
	[ "$status" = 0 ] || fail "initdb: $output"
	# The WAL archive is off the volume, as it must be for a restore.
	cat >>"$data/postgresql.auto.conf" <<-EOF
		archive_mode = on
		archive_command = 'test ! -f $ARCH/%f && cp %p $ARCH/%f'
	EOF
	pg_start "$data" "$PORT_ORIG" orig
	pg_sql "$PORT_ORIG" "CREATE TABLE t (id int PRIMARY KEY, note text)"
	pg_sql "$PORT_ORIG" "INSERT INTO t SELECT g, 'before the set' FROM generate_series(1, 1000) g"
	assert_equal "$(pg_sql "$PORT_ORIG" "SELECT count(*) FROM t")" 1000

	# The writer as vss requires it: root-owned, 0755, in a safe directory.
	install -d -m 0755 "$BATS_TEST_TMPDIR/w"
	install -m 0755 "$VSS_SRCDIR/contrib/writers/postgres-writer" "$BATS_TEST_TMPDIR/w/pgw"
	conf=$BATS_TEST_TMPDIR/vss.conf
	# Short paths, and psql from PATH: vss reads lines of at most 200 bytes.
	cmd="$BATS_TEST_TMPDIR/w/pgw --host $SOCK --port $PORT_ORIG --label-dir $LABELS --wait-for-archive --timeout 50"
	[ ${#cmd} -le 185 ] || fail "the writer's command line is too long for vss.conf (${#cmd} bytes): $cmd"
	cat >"$conf" <<-EOF
		[vss]
		freeze_timeout = 120

		[writer postgres]
		type = coprocess
		command = $cmd
		volumes = ${MNT[a]}
		timeout = 60
	EOF
	chmod 0644 "$conf"
	vss check-config "$conf"
	[ "$status" = 0 ] || fail "check-config: $output $stderr"

	vss -C "$conf" writer verify postgres
	[ "$status" = 0 ] || fail "writer verify exited $status: $stderr"

	# COW room for what the server writes after the set (pg_backup_stop
	# switches to a new 16 MiB WAL segment; checkpoints): the default 10%
	# of 256 MiB was seen to overflow in a loaded guest.
	vss -C "$conf" create-set --cow-size 128M "${PFX}a"
	[ "$status" = 0 ] || fail "create-set exited $status: $stderr"
	SET=$(awk '$1 == "Set:" {print $2}' <<<"$output")
	[[ $SET =~ ^$UUID_RE$ ]] || fail "create-set printed no set id: $output"
	# Written after the set: in no restore of it.
	pg_sql "$PORT_ORIG" "INSERT INTO t VALUES (-1, 'after the set')"

	# The writer took part, answered every event and ended stable.
	vss -C "$conf" list writers --json
	[ "$status" = 0 ] || fail "list writers --json exited $status: $stderr"
	w=$(jq -c '.writers[] | select(.name == "postgres")' <<<"$output")
	[ -n "$w" ] || fail "no writer postgres in: $output"
	assert_equal "$(jq -r '.state' <<<"$w")" stable
	assert_equal "$(jq -r '.set' <<<"$w")" "$SET"
	assert_equal "$(jq -r '."failed-event"' <<<"$w")" null
	assert_equal "$(jq -r '."failed-reason"' <<<"$w")" null
	timings=$(jq -r '.timings' <<<"$w")
	for e in identify prepare-backup prepare-snapshot freeze thaw post-snapshot; do
		[[ ", $timings," == *", $e "[0-9]*"ms,"* ]] || fail "no timing for $e in: $timings"
	done

	# The label of the backup taken around the freeze, kept for the set.
	label=$LABELS/$SET/backup_label
	[ -f "$label" ] || fail "no $label: $(find "$LABELS" 2>&1)"
	run grep -E '^START WAL LOCATION: [0-9A-F]+/[0-9A-F]+ \(file [0-9A-F]{24}\)$' "$label"
	assert_success
	run grep -Fx "LABEL: vss-$SET" "$label"
	assert_success
	start_lsn=$(awk '/^START WAL LOCATION:/ {print $4}' "$label")
	stop_lsn=$(awk '/^STOP WAL LOCATION:/ {print $4}' "$LABELS/$SET/backup_stop")
	[[ $stop_lsn =~ ^[0-9A-F]+/[0-9A-F]+$ ]] || fail "no stop location: $(cat "$LABELS/$SET/backup_stop")"
	# The server's side: pg_backup_stop ended this very backup (its history
	# file, archived before thaw answered), and no session of ours left a
	# backup to be aborted.
	hist=$(grep -lFx "LABEL: vss-$SET" "$ARCH"/*.backup 2>/dev/null || true)
	[ -n "$hist" ] || fail "no backup history file for vss-$SET in the archive: $(ls "$ARCH")"
	run grep -F "START WAL LOCATION: $start_lsn " "$hist"
	assert_success
	run grep -F "STOP WAL LOCATION: $stop_lsn " "$hist"
	assert_success
	run grep -F "aborting backup" "$LOGS/orig.log"
	assert_failure
	# The writer ended with its sequence: no session of it is left.
	assert_equal "$(pg_sql "$PORT_ORIG" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vss-postgres-writer'")" 0

	EXPOSED=$BATS_TEST_TMPDIR/exposed
	mkdir -p "$EXPOSED"
	vss -C "$conf" expose "$SET" "$EXPOSED"
	[ "$status" = 0 ] || fail "expose exited $status: $stderr"
	[ -f "$EXPOSED/${PFX}a/pgdata/PG_VERSION" ] || fail "no data directory in the exposed shadow"
	# The shadow holds no label of its own: pg_backup_start (non-exclusive)
	# writes none into the data directory.
	[ ! -e "$EXPOSED/${PFX}a/pgdata/backup_label" ] || fail "a backup_label in the shadow's data directory"

	# 1. As a base backup: the writer's label, WAL from the archive, recovery
	# up to the backup's end (recovery_target = immediate), then promoted.
	copy=$BATS_TEST_TMPDIR/restore-label
	restore_copy "$copy"
	install -o postgres -g postgres -m 0600 "$label" "$copy/backup_label"
	install -o postgres -g postgres -m 0600 /dev/null "$copy/recovery.signal"
	cat >>"$copy/postgresql.auto.conf" <<-EOF
		archive_mode = off
		restore_command = 'cp $ARCH/%f %p'
		recovery_target = 'immediate'
		recovery_target_action = 'promote'
	EOF
	pg_start "$copy" "$PORT_LABEL" restore-label
	for _ in $(seq 120); do
		[ "$(pg_sql "$PORT_LABEL" "SELECT pg_is_in_recovery()")" = f ] && break
		sleep 0.5
	done
	assert_equal "$(pg_sql "$PORT_LABEL" "SELECT pg_is_in_recovery()")" f
	run grep -F "consistent recovery state reached at $stop_lsn" "$LOGS/restore-label.log"
	assert_success
	# Replay began at the label's start, not at the shadow's last checkpoint.
	run grep -E "redo starts at $start_lsn\$" "$LOGS/restore-label.log"
	assert_success
	assert_equal "$(pg_sql "$PORT_LABEL" "SELECT count(*), min(id), max(id), count(*) FILTER (WHERE note = 'before the set') FROM t")" "1000|1|1000|1000"

	# 2. As it is: an atomic snapshot is crash-consistent, the label unused.
	copy=$BATS_TEST_TMPDIR/restore-crash
	restore_copy "$copy"
	echo "archive_mode = off" >>"$copy/postgresql.auto.conf"
	pg_start "$copy" "$PORT_CRASH" restore-crash
	run grep -F "database system was not properly shut down; automatic recovery in progress" "$LOGS/restore-crash.log"
	assert_success
	assert_equal "$(pg_sql "$PORT_CRASH" "SELECT pg_is_in_recovery()")" f
	assert_equal "$(pg_sql "$PORT_CRASH" "SELECT count(*), min(id), max(id) FROM t")" "1000|1|1000"

	# The original went on, unharmed.
	assert_equal "$(pg_sql "$PORT_ORIG" "SELECT count(*), min(id) FROM t")" "1001|-1"
}
