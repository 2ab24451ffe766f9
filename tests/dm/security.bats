#!/usr/bin/env bats
# vss runs as root and acts on what it finds in its state and run
# directories, so whoever could plant something there - a link, a hard
# link, a fifo, a marker or a record of their own making - could have root
# overwrite, delete, mount or run what they chose. These tests plant each
# such thing where a real vss, on a real device-mapper, would act on it,
# and hold vss to refusing it (a line naming it and, for a file it will not
# trust, exit 2; a warning where a command can do without it) with the
# victim untouched and its own state as it was; and to still doing its
# work once the plant is gone, so that no refusal here passes by refusing
# everything. tests/cli/security.bats covers the directories' many variants
# without device-mapper; only one of each kind is repeated here, against
# commands that would change devices.

load lib
load sets-lib
load writers-lib

# A set id of nobody's: what a forged record calls its set.
FORGED=5ec0ffee-0000-4000-8000-000000000001

# victim PATH: a file of someone else's, with known bytes (victim_ok checks them).
victim() {
	printf 'not vss'\''s: %s\n' "${1##*/}" >"$1"
}

# victim_ok PATH: PATH still holds its bytes, under its one name.
victim_ok() {
	assert_equal "$(cat "$1")" "not vss's: ${1##*/}"
	assert_equal "$(stat -c '%F %h' "$1")" "regular file 1"
}

# run_fp: the run directory's names, kinds, modes, owners, link counts,
# sizes and link targets (events/ aside: every vss process adds its file).
run_fp() {
	find "$VSS_RUN_DIR" -path "$VSS_RUN_DIR/events" -prune -o -printf '%P %y %m %u %n %s %l\n' | sort
}

# none_suspended: no device of ours is left suspended.
none_suspended() {
	local i
	_dm_ours
	for i in "${!DM_NAMES[@]}"; do
		[[ ${DM_ATTRS[i]} != ??s* ]] || fail "${DM_NAMES[i]} is left suspended"
	done
}

# forge ID DIR SED-EDIT...: the record of set $SET, made over as the record
# of set ID (its devices and COW file named for ID, as vss would name them)
# in STATE/DIR, with each SED-EDIT applied; root's, 0600, as vss writes one.
forge() {
	local id=$1 dir=$2 x
	local -a e=(-e "s/$SET/$id/g" -e "s/$SET8/${id:0:8}/g")
	shift 2
	for x; do e+=(-e "$x"); done
	sed "${e[@]}" "$VSS_STATE_DIR/sets/$SET.conf" >"$VSS_STATE_DIR/$dir/$id.conf"
	chmod 0600 "$VSS_STATE_DIR/$dir/$id.conf"
}

# refused_after STATUS LAST WARNING: vss exited STATUS with nothing on
# stdout, and its stderr is the line LAST after WARNING, said once or more
# (each listing of the sets says it again).
refused_after() {
	local n=${#stderr_lines[@]} i
	assert_failure "$1"
	assert_output ""
	[ "$n" -ge 2 ] || fail "no warning before '$2': $stderr"
	assert_equal "${stderr_lines[n - 1]}" "$2"
	for ((i = 0; i < n - 1; i++)); do
		assert_equal "${stderr_lines[i]}" "$3"
	done
}

# foreign_dev NAME: a dm device of someone else's (uuid TEST-NAME), 1 MiB of zeros.
foreign_dev() {
	dmsetup create "$1" --uuid "TEST-$1" --table "0 2048 zero"
}

# foreign_ok NAME: it is still there, as it was made.
foreign_ok() {
	assert_equal "$(dmsetup info -c --noheadings -o uuid "$1")" "TEST-$1"
	assert_equal "$(dmsetup table "$1")" "0 2048 zero "
}

@test "a link planted as the lock, the window or the writers marker is never followed: every command refused (exit 2) naming it, its target untouched; a link as events/ only loses the events" {
	T=$BATS_TEST_TMPDIR R=$VSS_RUN_DIR
	mkvol a 16
	new_set "${PFX}a"
	victim "$T/victim"
	before=$(fp)

	# The lock: opened (and written, our pid) by every mutating command.
	rm "$R/lock"
	ln -s "$T/victim" "$R/lock"
	for cmd in delete-set create-set; do
		if [ "$cmd" = delete-set ]; then vss delete-set "$SET"; else vss create-set "${PFX}a"; fi
		assert_failure 2
		assert_stderr "vss: $cmd: $R/lock: a symbolic link, not a regular file (never followed)"
		assert_output ""
	done
	assert_equal "$(readlink "$R/lock")" "$T/victim"
	# A dangling one: nothing is made where it points.
	rm "$R/lock"
	ln -s "$T/nothing-here" "$R/lock"
	vss recover
	assert_failure 2
	assert_stderr "vss: recover: $R/lock: a symbolic link, not a regular file (never followed)"
	[ ! -e "$T/nothing-here" ] && [ ! -L "$T/nothing-here" ] || fail "a file was made where the lock's link points"
	rm "$R/lock"

	# The markers: read by recovery, which every mutating command runs first.
	for m in window writers; do
		ln -s "$T/victim" "$R/$m"
		vss recover
		assert_failure 2
		assert_stderr "vss: recover: recovering from an interrupted vss: $R/$m: a symbolic link, not a regular file (never followed)"
		vss delete-set "$SET"
		assert_failure 2
		assert_stderr "vss: delete-set: recovering from an interrupted vss: $R/$m: a symbolic link, not a regular file (never followed)"
		assert_output ""
		assert_equal "$(readlink "$R/$m")" "$T/victim"
		rm "$R/$m"
	done
	victim_ok "$T/victim"
	assert_equal "$(fp)" "$before"
	assert_equal "$(set_ids)" "$SET"

	# events/ as a link: said once, nothing published where it points, and
	# the command goes on.
	mkdir "$T/elsewhere"
	rm -rf "$R/events"
	ln -s "$T/elsewhere" "$R/events"
	vss recover
	assert_success
	assert_stderr "vss: warning: $R/events: a symbolic link, not a directory (events are not published)"
	assert_equal "$(ls -A "$T/elsewhere")" ""
	rm "$R/events"

	# With the plants gone, the same command does its work.
	vss delete-set "$SET"
	assert_success
	assert_output "deleted $SET"
	assert_equal "$(set_ids)" ""
	victim_ok "$T/victim"
}

@test "links planted by a writer while create-set runs, as the window and writers markers before either is written, are replaced, never written through; nothing is left suspended" {
	T=$BATS_TEST_TMPDIR R=$VSS_RUN_DIR
	mkvol a 16
	victim "$T/victim"
	W=$T/w
	mkdir -p "$W"
	# At prepare-snapshot (the step before the freeze, when vss writes the
	# writers marker, then the window marker) it plants both links; at
	# every step it logs what the two names are.
	cat >"$W/planter" <<EOF
#!/bin/bash
if [ "\$1" = prepare-snapshot ]; then
	ln -s '$T/victim' '$R/window' || exit 1
	ln -s '$T/victim' '$R/writers' || exit 1
fi
w=\$(stat -c %F '$R/window' 2>/dev/null) || w=none
m=\$(stat -c %F '$R/writers' 2>/dev/null) || m=none
echo "\$1 window=\$w writers=\$m" >>'$T/planter.log'
EOF
	chmod 0755 "$W/planter"
	conf "[writer planter]" "command = $W/planter"
	new_set --writers planter "${PFX}a"
	assert_equal "$stderr" ""
	run cat "$T/planter.log"
	# Planted in time; at the freeze, the writers marker is vss's own file,
	# renamed over the link; the window marker, written next, went the
	# same way (the victim says so) and is gone with the window.
	assert_line "prepare-snapshot window=symbolic link writers=symbolic link"
	assert_line "freeze window=symbolic link writers=regular file"
	assert_line "post-snapshot window=none writers=none"
	victim_ok "$T/victim"
	[ ! -e "$R/window" ] && [ ! -L "$R/window" ] || fail "the window marker outlived create-set: $(ls -l "$R")"
	[ ! -e "$R/writers" ] && [ ! -L "$R/writers" ] || fail "the writers marker outlived create-set: $(ls -l "$R")"
	none_suspended
	run --separate-stderr "$VSS" list sets --json
	assert_equal "$(jq -r '.sets[] | .id + " " + .state' <<<"$output")" "$SET valid"
}

@test "a hard link to another file as the lock: refused (exit 2), that file keeps its bytes; a fifo as the lock or a marker: refused at once, not waited on" {
	T=$BATS_TEST_TMPDIR R=$VSS_RUN_DIR
	mkdir -p "$R"
	victim "$T/victim"
	ln "$T/victim" "$R/lock"
	before=$(run_fp)
	state=$(fp)
	vss recover
	assert_failure 2
	assert_stderr "vss: recover: $R/lock: has 2 links (a hard link is never trusted)"
	assert_output ""
	# Not truncated, no pid written: the very bytes, both names.
	assert_equal "$(cat "$T/victim")" "not vss's: victim"
	assert_equal "$(stat -c '%h %s' "$T/victim")" "2 $(printf "not vss's: victim\n" | wc -c)"
	assert_equal "$(run_fp)" "$before"
	rm "$R/lock"
	victim_ok "$T/victim"
	# (With the link gone, the lock is vss's own again.)
	vss recover
	assert_success

	for m in window writers lock; do
		[ "$m" != lock ] || rm "$R/lock"
		mkfifo -m 0600 "$R/$m"
		before=$(run_fp)
		# (A vss that opened it to read would wait for a writer for good.)
		run --separate-stderr timeout 120 "$VSS" recover
		assert_failure 2
		if [ "$m" = lock ]; then
			assert_stderr "vss: recover: $R/lock: a fifo, not a regular file"
		else
			assert_stderr "vss: recover: recovering from an interrupted vss: $R/$m: a fifo, not a regular file"
		fi
		assert_equal "$(run_fp)" "$before"
		rm "$R/$m"
	done
	assert_equal "$(fp)" "$state"
}

@test "a state or run directory not root's, or writable by others: refused (exit 2) before anything is made or changed in it" {
	T=$BATS_TEST_TMPDIR
	mkvol a 16
	before=$(fp)
	mode=$(stat -c %a "$VSS_STATE_DIR")

	mkdir -m 0755 "$T/run2"
	chown 65534:65534 "$T/run2"
	VSS_RUN_DIR=$T/run2 vss volume remove "${PFX}a"
	assert_failure 2
	assert_stderr "vss: volume remove: run directory $T/run2: owned by uid 65534, not by root"
	assert_equal "$(ls -A "$T/run2")" ""
	chown 0:0 "$T/run2"
	chmod 0777 "$T/run2"
	VSS_RUN_DIR=$T/run2 vss volume remove "${PFX}a"
	assert_failure 2
	assert_stderr "vss: volume remove: run directory $T/run2: writable by others (mode 0777)"
	assert_equal "$(ls -A "$T/run2")" ""
	assert_equal "$(stat -c '%a %u' "$T/run2")" "777 0"

	chown 65534:65534 "$VSS_STATE_DIR"
	vss volume remove "${PFX}a"
	assert_failure 2
	assert_stderr "vss: volume remove: state directory $VSS_STATE_DIR: owned by uid 65534, not by root"
	chown 0:0 "$VSS_STATE_DIR"
	chmod 0777 "$VSS_STATE_DIR"
	vss volume remove "${PFX}a"
	assert_failure 2
	assert_stderr "vss: volume remove: state directory $VSS_STATE_DIR: writable by others (mode 0777)"
	assert_equal "$(stat -c '%a %u' "$VSS_STATE_DIR")" "777 0"
	chmod "$mode" "$VSS_STATE_DIR"

	[ -b "${VOLDEV[a]}" ] || fail "${VOLDEV[a]} is gone"
	assert_equal "$(fp)" "$before"
}

@test "the writers marker: one not root's is refused, one naming a command the configuration does not give that writer is not run (exit 2, the marker gone), the genuine one is honoured" {
	T=$BATS_TEST_TMPDIR R=$VSS_RUN_DIR
	mkvol a 16
	W=$T/w
	mkdir -p "$W"
	export FW_LOG=$T/fw.log
	install -m 0755 "$VSS_SRCDIR/tests/dm/writers/fake-writer" "$W/x"
	conf "[writer x]" "command = $W/x"
	# A vss killed while its writer is frozen leaves the genuine marker.
	VSS_FAULT=create:writers-frozen vss create-set --writers x "${PFX}a"
	assert_equal "$status" 137
	[ -f "$R/writers" ] || fail "no writers marker after the kill"
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze"
	mv "$R/writers" "$T/genuine"
	before=$(fp)
	pwned=$T/pwned
	# forged: the genuine marker's owner and writer, with the command
	# /bin/sh -c "touch $pwned" (told the event as it is run).
	forged() {
		awk 'NR == 1 || /^W /' "$T/genuine"
		printf 'A %s\n' /bin/sh -c "touch $pwned"
	}
	# not_run: nothing ran, nothing changed, the marker is gone.
	not_run() {
		[ ! -e "$pwned" ] || fail "the forged command ran"
		assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze"
		[ ! -e "$R/writers" ] || fail "the marker is still there"
		assert_equal "$(fp)" "$before"
	}

	forged >"$R/writers"
	chmod 0600 "$R/writers"
	chown 65534:65534 "$R/writers"
	vss recover
	assert_failure 2
	assert_stderr "vss: recover: recovering from an interrupted vss: $R/writers: owned by uid 65534, not by root"
	assert_output ""
	[ ! -e "$pwned" ] || fail "the forged command ran"
	assert_equal "$(stat -c %u "$R/writers")" 65534
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze"
	assert_equal "$(fp)" "$before"

	# Root's, the configured writer, another command.
	chown 0:0 "$R/writers"
	vss recover
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: error: writer x: its command in $R/writers (/bin/sh) is not the one the configuration names for it: not run"
	assert_equal "${stderr_lines[1]}" "vss: recover: recovering from an interrupted vss: $R/writers: writer x: its command is not the one the configuration names for it: not run"
	assert_equal "${#stderr_lines[@]}" 2
	assert_output ""
	not_run

	# The configured command, and one argument more.
	{ cat "$T/genuine"; echo "A --also"; } >"$R/writers"
	vss recover
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: error: writer x: its command in $R/writers ($W/x) is not the one the configuration names for it: not run"
	assert_equal "${stderr_lines[1]}" "vss: recover: recovering from an interrupted vss: $R/writers: writer x: its command is not the one the configuration names for it: not run"
	assert_equal "${#stderr_lines[@]}" 2
	not_run

	# The configured command, under a writer's name the configuration has not.
	sed 's/^W \(.*\) x$/W \1 other/' "$T/genuine" >"$R/writers"
	grep -q '^W .* other$' "$R/writers" || fail "no writer renamed in the marker: $(cat "$R/writers")"
	vss recover
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: error: writer other: its command in $R/writers ($W/x) is not the one the configuration names for it: not run"
	assert_equal "${stderr_lines[1]}" "vss: recover: recovering from an interrupted vss: $R/writers: writer other: its command is not the one the configuration names for it: not run"
	assert_equal "${#stderr_lines[@]}" 2
	not_run

	# The genuine marker: the writer is told abort, and the killed create
	# is undone.
	cp -p "$T/genuine" "$R/writers"
	vss recover
	assert_success
	assert_output "writer x: told abort (a vss process was killed while it was frozen)
set $(awk 'NR == 1 {print $3}' "$T/genuine"): an interrupted create-set was undone"
	assert_equal "$stderr" ""
	assert_equal "$(events x)" "identify prepare-backup prepare-snapshot freeze abort"
	[ ! -e "$R/writers" ] || fail "the marker outlived recovery"
	[ ! -e "$pwned" ] || fail "the forged command ran"
	assert_equal "$(set_ids)" ""
	none_suspended
}

@test "a set record naming a file outside, or a device not vss's: list sets skips it with a warning, delete-set finds no such set, and every mutating command is refused (exit 2); the victims untouched" {
	T=$BATS_TEST_TMPDIR S=$VSS_STATE_DIR
	mkvol a 16
	new_set "${PFX}a"
	victim "$T/victim-cowfile"
	foreign_dev "${PFX}victim"

	# The attack: a record whose COW file, removed with its set, is the victim.
	forge "$FORGED" sets "s|^cow_file = .*|cow_file = $T/victim-cowfile|"
	before=$(fp)
	why="$S/sets/$FORGED.conf: cow_file $T/victim-cowfile is not what vss records for a shadow of ${PFX}a: refused"
	vss list sets --json
	assert_success
	assert_stderr "vss: warning: $why"
	assert_equal "$(jq -r '.sets[].id' <<<"$output")" "$SET"
	vss delete-set "$FORGED"
	refused_after 1 "vss: delete-set: $FORGED: no such shadow copy set" "vss: warning: $why"
	vss delete-set --all --force
	refused_after 2 "vss: delete-set: recovering from an interrupted vss: $why (vss will not guess what it held: repair it or move it away)" "vss: warning: $why"
	vss create-set "${PFX}a"
	refused_after 2 "vss: create-set: recovering from an interrupted vss: $why (vss will not guess what it held: repair it or move it away)" "vss: warning: $why"
	victim_ok "$T/victim-cowfile"
	assert_equal "$(fp)" "$before"

	# A record whose shadow is someone else's device.
	forge "$FORGED" sets "s|^dm_name = .*|dm_name = ${PFX}victim|" "s|^dm_uuid = .*|dm_uuid = TEST-${PFX}victim|"
	before=$(fp)
	why="$S/sets/$FORGED.conf: dm_name ${PFX}victim is not what vss records for a shadow of ${PFX}a: refused"
	vss delete-set "$FORGED"
	refused_after 1 "vss: delete-set: $FORGED: no such shadow copy set" "vss: warning: $why"
	vss delete-set --all --force
	refused_after 2 "vss: delete-set: recovering from an interrupted vss: $why (vss will not guess what it held: repair it or move it away)" "vss: warning: $why"
	foreign_ok "${PFX}victim"
	victim_ok "$T/victim-cowfile"
	assert_equal "$(fp)" "$before"

	# Gone, the set's own delete goes through.
	rm "$S/sets/$FORGED.conf"
	vss delete-set "$SET"
	assert_success
	assert_equal "$(set_ids)" ""
	foreign_ok "${PFX}victim"
}

@test "a set record whose COW file is named as vss names one but lies outside its storage area: delete-set refused before anything is touched" {
	T=$BATS_TEST_TMPDIR S=$VSS_STATE_DIR
	mkvol a 16
	new_set "${PFX}a"
	cow=$S/storage/$SET-${PFX}a.cow
	[ -f "$cow" ] || fail "no COW file $cow"
	victim "$T/$SET-${PFX}a.cow"
	sed -i "s|^cow_file = .*|cow_file = $T/$SET-${PFX}a.cow|" "$S/sets/$SET.conf"
	grep -qx "cow_file = $T/$SET-${PFX}a.cow" "$S/sets/$SET.conf" || fail "the record was not altered"
	before=$(fp)
	vss delete-set "$SET"
	victim_ok "$T/$SET-${PFX}a.cow"
	for d in "vss-$SET8-${PFX}a" "vss-$SET8-${PFX}a-cow" "vss-${PFX}a-real"; do
		dmsetup info "$d" >/dev/null 2>&1 || fail "$d is gone"
	done
	[ -f "$cow" ] || fail "the set's own COW file $cow was removed: $output"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: delete-set: $T/$SET-${PFX}a.cow: not a COW file in the storage area $S/storage its record names: refused"
	assert_equal "$(fp)" "$before"
}

@test "a set record naming, under a name vss gives, a device vss did not make: delete-set refused, the device untouched, no delete left begun" {
	T=$BATS_TEST_TMPDIR S=$VSS_STATE_DIR
	mkvol a 16
	new_set "${PFX}a"
	foreign_dev "vss-${PFX}victim"
	forge "$FORGED" sets "s|^dm_name = .*|dm_name = vss-${PFX}victim|"
	before=$(fp)
	vss delete-set "$FORGED"
	foreign_ok "vss-${PFX}victim"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: delete-set: vss-${PFX}victim: not the device vss made (uuid TEST-vss-${PFX}victim)"
	assert_equal "$(fp)" "$before"
	# Nothing begun: the next command has nothing to finish.
	vss recover
	assert_success
	assert_equal "$stderr" ""
	foreign_ok "vss-${PFX}victim"
}

@test "a forged journal record stops every mutating command (exit 2) naming it; a volume record naming a device vss did not make is refused by volume remove" {
	T=$BATS_TEST_TMPDIR S=$VSS_STATE_DIR
	mkvol a 16
	new_set "${PFX}a"
	victim "$T/victim-cowfile"
	forge "$FORGED" journal '/^\[set\]$/a op = delete' "s|^cow_file = .*|cow_file = $T/victim-cowfile|"
	grep -qx 'op = delete' "$S/journal/$FORGED.conf" || fail "no op in the forged journal record"
	before=$(fp)
	why="recovering from an interrupted vss: $S/journal/$FORGED.conf: cow_file $T/victim-cowfile is not what vss records for a shadow of ${PFX}a: refused (vss will not guess what it held: repair it or move it away)"
	vss recover
	assert_failure 2
	assert_stderr "vss: recover: $why"
	vss create-set "${PFX}a"
	assert_failure 2
	assert_stderr "vss: create-set: $why"
	vss delete-set --all --force
	assert_failure 2
	assert_stderr "vss: delete-set: $why"
	vss volume remove "${PFX}a"
	assert_failure 2
	assert_stderr "vss: volume remove: $why"
	assert_output ""
	victim_ok "$T/victim-cowfile"
	assert_equal "$(fp)" "$before"
	assert_equal "$(set_ids)" "$SET"
	rm "$S/journal/$FORGED.conf"

	foreign_dev "${PFX}victim"
	sed -e "s/^name = .*/name = ${PFX}victim/" -e "s/^dm_uuid = .*/dm_uuid = TEST-${PFX}victim/" \
		"$S/volumes/${PFX}a.conf" >"$S/volumes/${PFX}victim.conf"
	chmod 0600 "$S/volumes/${PFX}victim.conf"
	before=$(fp)
	vss volume remove "${PFX}victim"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: volume remove: $S/volumes/${PFX}victim.conf: dm uuid TEST-${PFX}victim is not one vss gives a volume: refused"
	foreign_ok "${PFX}victim"
	assert_equal "$(fp)" "$before"
}

@test "a link planted as the default mountpoint's directory RUN/SET8, or as RUN/SET8/VOLUME: expose refused, nothing mounted where it points" {
	T=$BATS_TEST_TMPDIR R=$VSS_RUN_DIR
	mkvol a 16
	mkfs.ext4 -q -F "${VOLDEV[a]}"
	new_set "${PFX}a"
	mkdir "$T/elsewhere"
	before=$(fp)
	# nothing_there: nothing mounted under the test's directories, nothing
	# made where the link points, the set not exposed.
	nothing_there() {
		_mounts_under "$T" "$R"
		assert_equal "${MOUNTS[*]}" ""
		assert_equal "$(ls -A "$T/elsewhere")" ""
		assert_equal "$(fp)" "$before"
	}

	ln -s "$T/elsewhere" "$R/$SET8"
	vss expose "$SET"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: expose: $R/$SET8: a symbolic link, not a directory"
	nothing_there
	assert_equal "$(readlink "$R/$SET8")" "$T/elsewhere"
	rm "$R/$SET8"

	mkdir -m 0700 "$R/$SET8"
	ln -s "$T/elsewhere" "$R/$SET8/${PFX}a"
	vss expose "$SET"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: expose: $R/$SET8/${PFX}a: a symbolic link, not a directory"
	nothing_there
	rm "$R/$SET8/${PFX}a"

	# Gone, the shadow is exposed where it belongs.
	vss expose "$SET"
	assert_success
	assert_output "$(shadow "$SET" a) on $R/$SET8/${PFX}a"
	assert_equal "$(mount_src "$R/$SET8/${PFX}a")" "$(shadow "$SET" a)"
	assert_equal "$(ls -A "$T/elsewhere")" ""
}

@test "forged origin, storage area and pool records: each refused (exit 2) naming it, nothing loaded, made or changed where it points" {
	T=$BATS_TEST_TMPDIR S=$VSS_STATE_DIR
	# An origin record is the table a volume gets back when its last
	# shadow goes: one naming a device vss did not make is not loaded.
	foreign_dev "${PFX}victim"
	table=$(dmsetup table "${PFX}victim")
	mkdir -p "$S/origins" "$S/areas" "$S/pools"
	printf '[origin]\nvolume = %s\norigin_uuid = TEST-%s\nreal_uuid = TEST-real\ntarget = 0 2048 error\n' \
		"${PFX}victim" "${PFX}victim" >"$S/origins/${PFX}victim.conf"
	chmod 0600 "$S/origins/${PFX}victim.conf"
	before=$(fp)
	vss recover
	assert_failure 2
	assert_output ""
	assert_stderr "vss: recover: recovering from an interrupted vss: $S/origins/${PFX}victim.conf: real_uuid TEST-real is not one vss gives a volume's -real device: refused"
	assert_equal "$(dmsetup table "${PFX}victim")" "$table"
	assert_equal "$(fp)" "$before"
	rm "$S/origins/${PFX}victim.conf"

	# The default area's record naming a directory anyone may write: no
	# COW file is made there.
	mkdir "$T/open"
	chmod 0777 "$T/open"
	printf '[area]\nid = default\ntype = directory\npath = %s\nmax = 0\nadded = 1\n' "$T/open" \
		>"$S/areas/default.conf"
	chmod 0600 "$S/areas/default.conf"
	mkvol a 16
	table=$(dmsetup table "${PFX}a")
	before=$(fp)
	vss create-set "${PFX}a"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: create-set: storage area $T/open: writable by others (mode 0777)"
	assert_equal "$(ls -A "$T/open")" ""
	assert_equal "$(dmsetup table "${PFX}a")" "$table"
	assert_equal "$(fp)" "$before"
	none_suspended
	rm "$S/areas/default.conf"

	# A pool record naming a device vss did not make: importing refuses
	# rather than trust it.
	dev=$(mkloop 16)
	printf '[pool]\nname = evil\ndm_name = %s\nuuid = TEST-pool\ndevice = %s\ndevice_id = x\ndevno = 7:99\nmeta_sectors = 8\ndata_sectors = 8\nblock_sectors = 128\nnext_id = 1\ncreated = 1\n' \
		"${PFX}victim" "$dev" >"$S/pools/evil.conf"
	chmod 0600 "$S/pools/evil.conf"
	before=$(fp)
	vss volume import "$dev" "${PFX}b"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: volume import: $S/pools/evil.conf: ${PFX}victim (uuid TEST-pool) is not a pool vss made: refused"
	run dmsetup info "${PFX}b"
	assert_failure
	assert_equal "$(dmsetup table "${PFX}victim")" "0 2048 zero "
	assert_equal "$(fp)" "$before"
	rm "$S/pools/evil.conf"

	# With the forgeries gone, the same commands do their work.
	vss create-set "${PFX}a"
	assert_success
	vss volume import "$dev" "${PFX}b"
	assert_success
}

@test "a link planted as a set record or as a set's COW file is never followed: listing skips the record with a warning, recovery and delete-set refuse (exit 2); the victim untouched, the set whole" {
	T=$BATS_TEST_TMPDIR S=$VSS_STATE_DIR
	mkvol a 16
	new_set "${PFX}a"
	victim "$T/victim"

	# A record that is a link: read through it, the victim's bytes would
	# be taken for a set.
	ln -s "$T/victim" "$S/sets/$FORGED.conf"
	before=$(fp)
	why="$S/sets/$FORGED.conf: a symbolic link, not a regular file (never followed)"
	vss list sets --json
	assert_success
	assert_stderr "vss: warning: $why"
	assert_equal "$(jq -r '.sets[].id' <<<"$output")" "$SET"
	vss recover
	refused_after 2 "vss: recover: recovering from an interrupted vss: $why (vss will not guess what it held: repair it or move it away)" "vss: warning: $why"
	victim_ok "$T/victim"
	assert_equal "$(fp)" "$before"
	rm "$S/sets/$FORGED.conf"

	# The set's COW file swapped for a link (its loop device keeps the
	# real one open): removing it would remove only the link, but it is
	# not the file vss made, so the delete is not begun at all.
	cow=$S/storage/$SET-${PFX}a.cow
	mv "$cow" "$T/kept.cow"
	ln -s "$T/victim" "$cow"
	before=$(fp)
	vss delete-set "$SET"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: delete-set: $cow: not the COW file vss made (a symbolic link): refused"
	victim_ok "$T/victim"
	assert_equal "$(set_ids)" "$SET"
	[ ! -e "$S/journal/$SET.conf" ] || fail "a delete was begun"
	assert_equal "$(fp)" "$before"

	# Put back, but with a second name: the file is someone else's too.
	rm "$cow"
	mv "$T/kept.cow" "$cow"
	ln "$cow" "$T/second-name"
	before=$(fp)
	vss delete-set "$SET"
	assert_failure 2
	assert_output ""
	assert_stderr "vss: delete-set: $cow: not the COW file vss made (2 links): refused"
	assert_equal "$(set_ids)" "$SET"
	assert_equal "$(fp)" "$before"
	rm "$T/second-name"

	# Its own again, the delete goes through and removes the file vss made.
	vss delete-set "$SET"
	assert_success
	assert_equal "$(set_ids)" ""
	[ ! -e "$cow" ] || fail "the COW file is left"
	victim_ok "$T/victim"
}
