#!/usr/bin/env bats
# What create-set, storage add and recover refuse: each with one line that
# names the thing and the reason, the documented exit code, nothing on
# stdout, and nothing changed (devices, live and inactive tables, suspended
# or not, state files, loop devices, mounts). Few tests, each covering
# several refusals of one setup: in the guest every process counts.

load lib
load sets-lib

# fpx: everything a refused command could have changed, in one sorted list:
# dm devices with their attributes (L live, I inactive table, s suspended),
# live and inactive tables, the state directory's files (a COW file by its
# name: its content changes as its origin is written), loop devices with
# their backing files and sizes, mounts. Built in the shell as far as it
# goes: in the guest every process costs a good part of a second.
fpx() {
	local out l f
	local -a c
	out=$(dmsetup info -c --noheadings -o name,uuid,attr 2>&1)
	while read -r l; do out+=$'\n'"live $l"; done <<<"$(dmsetup table 2>&1)"
	while read -r l; do out+=$'\n'"inactive $l"; done <<<"$(dmsetup table --inactive 2>&1)"
	for f in "$VSS_STATE_DIR"/* "$VSS_STATE_DIR"/*/* "$VSS_STATE_DIR"/*/*/*; do
		[ -f "$f" ] || continue
		if [[ $f == *.cow ]]; then
			out+=$'\n'"file ${f#"$VSS_STATE_DIR"/}"
		else
			mapfile -t c <"$f"
			out+=$'\n'"file ${f#"$VSS_STATE_DIR"/}: ${c[*]}"
		fi
	done
	for f in /sys/block/loop*; do
		[ -e "$f/loop/backing_file" ] || continue
		mapfile -t c <"$f/loop/backing_file"
		l=${c[*]}
		mapfile -t c <"$f/size"
		out+=$'\n'"loop ${f##*/} $l ${c[*]}"
	done
	while read -r l; do [[ $l == /dev/* ]] && out+=$'\n'"mount $l"; done </proc/mounts
	sort <<<"$out"
}

# snap: takes the state that the refusals which follow must leave as it is.
snap() {
	BEFORE=$(fpx)
}

# refused CODE MESSAGE ARGS...: vss ARGS exits CODE with exactly MESSAGE on
# stderr and nothing on stdout, and the state is still the one snap took.
refused() {
	local code=$1 msg=$2
	shift 2
	[ -n "${BEFORE:-}" ] || fail "refused: no snap taken"
	vss "$@"
	assert_equal "$status" "$code"
	assert_stderr "$msg"
	assert_output ""
	assert_equal "$(fpx)" "$BEFORE"
}

# add_area: a 16M loop device added as a device storage area ($AREA): a
# create-set refused after its COW was made leaves no file or loop behind.
add_area() {
	AREA=$(mkloop 16)
	vss storage add "$AREA"
	[ "$status" = 0 ] || fail "storage add $AREA exited $status: $stderr"
}

# swap_table DMNAME TABLE: what another manager does under a volume
# (lvextend, cryptsetup resize, a hand-run dmsetup): a new live table.
swap_table() {
	dmsetup load "$1" --table "$2"
	dmsetup suspend "$1"
	dmsetup resume "$1"
}

# attr DMNAME: dmsetup's attribute letters.
attr() {
	dmsetup info -c --noheadings -o attr "$1"
}

KEEPS_STATE="vss layers shadows only under linear, striped, crypt and zero tables"

@test "exit 2: recover with an operand; create-set of volumes stacked one on another" {
	# Something for recover to do: a COW device of vss's that no set names.
	dmsetup create "vss-${PFX}orphan-cow" --uuid "VSS-cow-${PFX}-0" --table "0 8 zero"
	snap
	refused 2 $'vss: recover: unexpected argument \'now\'\nUsage: vss recover' recover now
	vss recover
	assert_success
	run dmsetup info "vss-${PFX}orphan-cow"
	assert_failure

	mkvol a 16
	mkvol b 16
	# A device made by hand on a managed volume, and another on that one.
	dmsetup create "${PFX}top" --table "0 32768 linear ${VOLDEV[a]} 0"
	settle
	dmsetup create "${PFX}top2" --table "0 32768 linear /dev/mapper/${PFX}top 0"
	settle
	snap
	why="one lies on the other; a set takes only the top of a stack"
	refused 2 "vss: create-set: ${PFX}a and ${PFX}top: $why" create-set "${PFX}a" "${PFX}top"
	# By path, two levels apart, an unrelated volume between them.
	refused 2 "vss: create-set: /dev/mapper/${PFX}top2 and ${PFX}a: $why" \
		create-set "/dev/mapper/${PFX}top2" "${PFX}b" "${PFX}a"
}

@test "create-set: a volume on a loop device over a file in another member's filesystem: exit 2, nothing suspended" {
	mkvol c 64
	mkfs_mount c
	truncate -s 16M "${MNT[c]}/inner.img"
	inner=$(losetup -f --show "${MNT[c]}/inner.img")
	vss volume import "$inner" "${PFX}d"
	assert_success
	settle
	mkfs.ext4 -q "/dev/mapper/${PFX}d"
	mkdir "$BATS_TEST_TMPDIR/mnt-d"
	mount "/dev/mapper/${PFX}d" "$BATS_TEST_TMPDIR/mnt-d"
	add_area
	snap
	# Suspending c (its filesystem frozen) before d would leave d's flush
	# waiting on c for ever: give it a while, then free it by hand.
	bg "$VSS" create-set --cow-size 1M "${PFX}c" "${PFX}d" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	# (Two minutes and more: a refusal takes seconds, more in a loaded
	# guest; a hang never ends.)
	for _ in $(seq 240); do
		kill -0 "$BG" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 "$BG" 2>/dev/null; then
		hung=$(dmsetup info -c --noheadings -o name,attr | grep -F -- "$PFX" | tr '\n' ' ')
		dmsetup resume "${PFX}c" || true
		dmsetup resume "${PFX}d" || true
		wait "$BG" || true
		fail "create-set hung (2 min), the devices: $hung"
	fi
	wait "$BG" && st=0 || st=$?
	assert_equal "$st" 2
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" \
		"vss: create-set: ${PFX}c and ${PFX}d: one lies on the other; a set takes only the top of a stack"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" ""
	assert_equal "$(fpx)" "$BEFORE"
}

@test "create-set: tables vss does not layer under (error, delay, a snapshot-origin of its own): exit 1, nothing changed" {
	mkvol a 16
	dev=$(mkloop 16)
	dev2=$(mkloop 16)
	add_area
	# A managed volume whose table someone replaced.
	swap_table "${PFX}a" "0 32768 error"
	# Devices made by hand: a delay, and an origin with a snapshot vss did
	# not make (as lvcreate -s does it).
	dmsetup create "${PFX}slow" --table "0 32768 delay $dev 0 0"
	dmsetup create "${PFX}base" --table "0 32768 linear $dev2 0"
	settle
	dmsetup create "${PFX}orig" --table "0 32768 snapshot-origin /dev/mapper/${PFX}base"
	settle
	snap
	refused 1 "vss: create-set: ${PFX}a: its table uses error; $KEEPS_STATE" create-set "${PFX}a"
	refused 1 "vss: create-set: ${PFX}slow: its table uses delay; $KEEPS_STATE" create-set "${PFX}slow"
	refused 1 "vss: create-set: ${PFX}orig: has a snapshot-origin table: it already has snapshots vss did not make" \
		create-set "/dev/mapper/${PFX}orig"
	# A good volume before it: nothing of that one either.
	mkvol b 16
	# A linear part does not make the rest acceptable.
	swap_table "${PFX}a" "0 16384 linear ${BACKING[a]} 0
16384 16384 error"
	snap
	refused 1 "vss: create-set: ${PFX}a: its table uses error; $KEEPS_STATE" \
		create-set --cow-size 1M "${PFX}b" "${PFX}a"
	run set_ids
	assert_output ""
}

@test "create-set refused before any storage area was added: not even the default area's record is left" {
	mkvol a 16
	swap_table "${PFX}a" "0 32768 error"
	snap
	# The default directory area is recorded at its first use; a set that
	# never came to be did not use it. Once recorded, it stays among the
	# areas even after `storage add`, and takes COWs before the new one.
	refused 1 "vss: create-set: ${PFX}a: its table uses error; $KEEPS_STATE" create-set "${PFX}a"
}

@test "create-set: a stale -real, under a volume whose table was replaced after its set was made: exit 1, nothing changed" {
	mkvol a 16
	mkvol b 16
	add_area
	new_set --cow-size 1M "${PFX}a"
	real=vss-${PFX}a-real
	assert_equal "$(dmsetup table "${PFX}a")" "0 32768 snapshot-origin $(majmin "$real")"
	# Its own table put back by someone else: -real stays, under the shadow.
	swap_table "${PFX}a" "$(dmsetup table "$real")"
	snap
	why="${PFX}a: its table was replaced after its shadows were made, so they are invalid; delete those sets first"
	refused 1 "vss: create-set: $why" create-set --cow-size 1M "${PFX}a"
	refused 1 "vss: create-set: $why" create-set --cow-size 1M "${PFX}b" "${PFX}a"
	run set_ids
	assert_output "$SET"
}

@test "create-set: a device named like the volume's -real that vss did not make: exit 1, nothing changed, nothing wedged" {
	mkvol a 16
	add_area
	dmsetup create "vss-${PFX}a-real" --table "0 32768 zero"
	snap
	# Refused, and what the refused set made is undone without touching
	# that device, so no journal is left for every later command to trip on.
	refused 1 "vss: create-set: ${PFX}a: a device named vss-${PFX}a-real exists and is not vss's (uuid none)" \
		create-set "${PFX}a"
	# And the next command is not held up by it.
	vss recover
	assert_success
	assert_equal "$(fpx)" "$BEFORE"
}

@test "create-set: a device storage area found by what it carries, not its path or number; grown or detached: exit 1" {
	mkvol a 16
	dev1=$(mkloop 16)
	dev2=$(mkloop 16)
	file1=$(losetup -l -n -O BACK-FILE "$dev1" | sed 's/ *$//')
	link=$BATS_TEST_TMPDIR/area
	ln -s "$dev1" "$link"
	vss storage add "$link"
	assert_success
	# Another device at its path (a /dev/disk/by-* link after a reboot):
	# the area is still the device added, found by its loop file.
	ln -sfn "$dev2" "$link"
	new_set --cow-size 1M "${PFX}a"
	[[ $(dmsetup table "vss-$SET8-${PFX}a-cow") == *" linear $(majmin_of "$dev1") "* ]] ||
		fail "the COW is not on the area's device: $(dmsetup table "vss-$SET8-${PFX}a-cow")"
	vss delete-set "$SET"
	assert_success
	# The device itself, grown.
	truncate -s 32M "$file1"
	losetup -c "$dev1"
	[ "$(blockdev --getsize64 "$dev1")" = 33554432 ] || fail "the loop device did not grow"
	snap
	refused 1 "vss: create-set: storage area $link: its device $dev1 is 32M now, not 16M as when it was added; remove the area and add it again" \
		create-set --cow-size 1M "${PFX}a"
	# Detached: nothing carries it.
	losetup -d "$dev1"
	snap
	refused 1 "vss: create-set: storage area $link: its device is not present (loop:0:$file1)" \
		create-set --cow-size 1M "${PFX}a"
	run set_ids
	assert_output ""
	# The way out the message gives.
	vss storage remove "$link"
	assert_success
	vss storage add "$link"
	assert_success
	new_set --cow-size 1M "${PFX}a"
}

@test "storage add: missing path, regular file, signature, open directory, too small, mounted, added twice: exit 1, nothing changed" {
	f=$BATS_TEST_TMPDIR/file.img
	truncate -s 16M "$f"
	dev=$(mkloop 32)
	mkfs.ext4 -q "$dev"
	d=$BATS_TEST_TMPDIR/open
	mkdir -m 777 "$d"
	dmsetup create "${PFX}tiny" --table "0 2047 zero"
	settle
	snap
	refused 1 "vss: storage add: $BATS_TEST_TMPDIR/none: no such device or directory" \
		storage add "$BATS_TEST_TMPDIR/none"
	refused 1 "vss: storage add: $f: neither a block device nor a directory" storage add "$f"
	refused 1 "vss: storage add: $dev: carries a signature (ext4); shadows would overwrite it (wipefs -a $dev first, if it may go)" \
		storage add "$dev"
	refused 1 "vss: storage add: $d: must be owned by root and not writable by group or others (shadow data goes there)" \
		storage add "$d"
	refused 1 "vss: storage add: /dev/mapper/${PFX}tiny: too small to be a storage area (less than 1M)" \
		storage add "/dev/mapper/${PFX}tiny"
	mkdir "$BATS_TEST_TMPDIR/mnt"
	mount "$dev" "$BATS_TEST_TMPDIR/mnt"
	snap
	refused 1 "vss: storage add: $dev: is mounted on $BATS_TEST_TMPDIR/mnt" storage add "$dev"

	# Twice: the device by its path or another, the directory by another spelling.
	dev2=$(mkloop 16)
	vss storage add "$dev2"
	assert_success
	ln -s "$dev2" "$BATS_TEST_TMPDIR/link"
	area=$BATS_TEST_TMPDIR/dir
	mkdir -m 700 "$area"
	vss storage add "$area"
	assert_success
	snap
	refused 1 "vss: storage add: $dev2: already a storage area" storage add "$dev2"
	refused 1 "vss: storage add: $BATS_TEST_TMPDIR/link: already a storage area" \
		storage add "$BATS_TEST_TMPDIR/link"
	refused 1 "vss: storage add: $area/../dir: already a storage area" storage add "$area/../dir"
}

@test "create-set: a suspended volume, one with an inactive table: exit 1, both left as they were" {
	mkvol a 16
	mkvol b 16
	add_area
	dmsetup suspend "${PFX}a"
	[[ $(attr "${PFX}a") == ??s* ]] || fail "not suspended: $(attr "${PFX}a")"
	snap
	refused 1 "vss: create-set: /dev/mapper/${PFX}a: is suspended; resume it first" \
		create-set --cow-size 1M "${PFX}b" "/dev/mapper/${PFX}a"
	[[ $(attr "${PFX}a") == ??s* ]] || fail "resumed by vss: $(attr "${PFX}a")"
	dmsetup resume "${PFX}a"

	dmsetup load "${PFX}b" --table "0 32768 linear ${BACKING[b]} 0"
	[[ $(attr "${PFX}b") == LI* ]] || fail "no inactive table: $(attr "${PFX}b")"
	snap
	refused 1 "vss: create-set: ${PFX}b: has an inactive table loaded by someone else" \
		create-set --cow-size 1M "${PFX}a" "${PFX}b"
	assert_equal "$(dmsetup table --inactive "${PFX}b")" "0 32768 linear $(majmin_of "${BACKING[b]}") 0"
	# Suspended as well: that is said first.
	dmsetup suspend "${PFX}b"
	snap
	refused 1 "vss: create-set: ${PFX}b: is suspended; resume it first" create-set "${PFX}b"
	dmsetup resume "${PFX}b"
	run set_ids
	assert_output ""
}

@test "a set whose record names a provider this vss does not have (a newer vss's), or lacks what its provider needs: listed invalid saying why; delete-set and revert refused (exit 2), nothing changed; named back, it is whole" {
	mkvol a 16
	add_area
	new_set --cow-size 1M "${PFX}a"
	rec=$VSS_STATE_DIR/sets/$SET.conf
	grep -qx "provider = cow" "$rec" || fail "no provider line in $rec"
	# A newer vss's record: its provider, and a field of that provider's.
	sed -i 's/^provider = cow$/provider = zfs/' "$rec"
	echo "zfs_dataset = tank/a@vss" >>"$rec"
	why="its record names provider zfs, which this vss does not have"
	warn="vss: warning: set $SET8, shadow of ${PFX}a: invalid: $why"
	vss list shadows --json "$SET"
	assert_success
	assert_equal "$(jq -r '.shadows[] | [.volume, .provider, .state, .why] | join("|")' <<<"$output")" \
		"${PFX}a|zfs|invalid|$why"
	assert_stderr "$warn"
	# Finding the set lists it, which warns of the invalid shadow first;
	# revert reads the record alone.
	snap
	refused 2 "$warn"$'\n'"vss: delete-set: shadow of ${PFX}a: $why: refused" delete-set "$SET"
	refused 2 "vss: revert: shadow of ${PFX}a: $why: refused" revert --yes "$SET" "${PFX}a"
	grep -qx "zfs_dataset = tank/a@vss" "$rec" || fail "the provider's field was lost"

	# A cow record that lacks its COW device's name: damaged.
	sed -i 's/^provider = zfs$/provider = cow/; s/^cow_name = .*/cow_name = /' "$rec"
	vss list shadows --json "$SET"
	assert_success
	assert_equal "$(jq -r '.shadows[] | [.provider, .state, .why] | join("|")' <<<"$output")" \
		"cow|invalid|its record lacks what provider cow needs (damaged)"
	why="its record lacks what provider cow needs (damaged)"
	snap
	refused 2 "vss: warning: set $SET8, shadow of ${PFX}a: invalid: $why"$'\n'"vss: delete-set: shadow of ${PFX}a: $why: refused" \
		delete-set "$SET"

	# Named back, the field it does not know kept: valid, and deleted whole.
	sed -i "s/^cow_name = $/cow_name = vss-$SET8-${PFX}a-cow/" "$rec"
	vss list shadows --json "$SET"
	assert_equal "$(jq -r '.shadows[] | .state' <<<"$output")" "valid"
	vss delete-set "$SET"
	assert_success
	run set_ids
	assert_output ""
	[ -z "$(dmsetup ls | grep "vss-$SET8")" ] || fail "devices left: $(dmsetup ls)"
}
