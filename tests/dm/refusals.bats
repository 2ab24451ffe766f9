#!/usr/bin/env bats
# Every bad input: one line naming the thing and the reason, the documented
# exit code, and nothing changed.

load lib
load sets-lib

# refused CODE MESSAGE ARGS...: runs vss ARGS and checks all three.
refused() {
	local code=$1 msg=$2 before
	shift 2
	before=$(fingerprint)
	vss "$@"
	assert_equal "$status" "$code"
	assert_stderr "$msg"
	assert_output ""
	assert_equal "$(fingerprint)" "$before"
}

@test "import: a device that does not exist" {
	refused 1 "vss: volume import: /dev/${PFX}nope: no such block device" \
		volume import "/dev/${PFX}nope" "${PFX}a"
}

@test "import: a regular file" {
	f=$BATS_TEST_TMPDIR/file.img
	truncate -s 1M "$f"
	refused 1 "vss: volume import: $f: not a block device" volume import "$f" "${PFX}a"
}

@test "import: a device-mapper device" {
	dev=$(mkloop 16)
	dmsetup create "${PFX}plain" --table "0 32768 linear $dev 0"
	settle
	refused 1 "vss: volume import: /dev/mapper/${PFX}plain: already a device-mapper device (${PFX}plain): use it as a volume by its path" \
		volume import "/dev/mapper/${PFX}plain" "${PFX}a"
}

@test "import: a mounted device" {
	dev=$(mkloop 32)
	mkfs.ext4 -q "$dev"
	mkdir "$BATS_TEST_TMPDIR/mnt"
	mount "$dev" "$BATS_TEST_TMPDIR/mnt"
	refused 1 "vss: volume import: $dev: is mounted on $BATS_TEST_TMPDIR/mnt; unmount it first" \
		volume import "$dev" "${PFX}a"
}

@test "import: a device held by another dm device" {
	dev=$(mkloop 16)
	dmsetup create "${PFX}plain" --table "0 32768 linear $dev 0"
	settle
	refused 1 "vss: volume import: $dev: is in use by dm-$(dmsetup info -c --noheadings -o minor "${PFX}plain")" \
		volume import "$dev" "${PFX}a"
}

@test "import: a device in use as swap" {
	dev=$(mkloop 16)
	mkswap -q "$dev"
	swapon "$dev" || skip "swapon refused in this environment"
	refused 1 "vss: volume import: $dev: is in use (held open exclusively, e.g. as swap)" \
		volume import "$dev" "${PFX}a"
}

@test "import: a name a dm device already has" {
	dev=$(mkloop 16) dev2=$(mkloop 16)
	dmsetup create "${PFX}plain" --table "0 32768 linear $dev 0"
	settle
	refused 1 "vss: volume import: ${PFX}plain: a device-mapper device of that name already exists" \
		volume import "$dev2" "${PFX}plain"
}

@test "import: a name a managed volume already has, though its device is not active" {
	dev=$(mkloop 16) dev2=$(mkloop 16)
	vss volume import "$dev" "${PFX}a"
	assert_success
	dmsetup remove "${PFX}a"
	refused 1 "vss: volume import: ${PFX}a: a managed volume of that name already exists" \
		volume import "$dev2" "${PFX}a"
}

@test "import: names dm or vss would refuse" {
	dev=$(mkloop 16)
	refused 2 "vss: volume import: a/b: invalid volume name: contains '/': use only letters, digits and . _ + -" \
		volume import "$dev" a/b
	refused 2 "vss: volume import: vss-x: invalid volume name: begins with 'vss-', which vss keeps for its own devices" \
		volume import "$dev" vss-x
	# Options may follow operands, so a name beginning with - comes after --.
	refused 2 "vss: volume import: -x: invalid volume name: may not begin with '-'" \
		volume import -- "$dev" -x
	refused 2 $'vss: volume import: unknown option -x\nUsage: vss volume import [--thin SIZE] DEVICE NAME' \
		volume import "$dev" -x
	refused 2 "vss: volume import: : invalid volume name: is empty" volume import "$dev" ""
	refused 2 "vss: volume import: ..: invalid volume name: is reserved" volume import "$dev" ..
	long=$(printf 'a%.0s' {1..101})
	refused 2 "vss: volume import: $long: invalid volume name: is longer than 100 characters" \
		volume import "$dev" "$long"
}

@test "import and remove: wrong number of arguments, unknown options" {
	dev=$(mkloop 16)
	refused 2 $'vss: volume import: needs a device and a name\nUsage: vss volume import [--thin SIZE] DEVICE NAME' \
		volume import "$dev"
	refused 2 $'vss: volume import: too many arguments\nUsage: vss volume import [--thin SIZE] DEVICE NAME' \
		volume import "$dev" a b
	refused 2 $'vss: volume import: unknown option --force\nUsage: vss volume import [--thin SIZE] DEVICE NAME' \
		volume import --force "$dev" a
	refused 2 $'vss: volume remove: needs a volume name\nUsage: vss volume remove [--yes] NAME' volume remove
}

@test "import: not root" {
	dev=$(mkloop 16)
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	before=$(fingerprint)
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$VSS" volume import "$dev" "${PFX}a"
	[ "$status" != 126 ] && [ "$status" != 127 ] || skip "nobody cannot execute $VSS here"
	assert_equal "$status" 1
	assert_equal "$stderr" "vss: volume import: must be run as root"
	assert_equal "$(fingerprint)" "$before"
}

@test "import: the state directory is missing: made on first use" {
	dev=$(mkloop 16)
	VSS_STATE_DIR=$BATS_TEST_TMPDIR/nonexistent vss volume import "$dev" "${PFX}a"
	assert_success
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/nonexistent")" 700
	[ -f "$BATS_TEST_TMPDIR/nonexistent/volumes/${PFX}a.conf" ]
	VSS_STATE_DIR=$BATS_TEST_TMPDIR/nonexistent vss volume remove "${PFX}a"
	assert_success
}

@test "import: another vss holds the lock: waits its time, exit 5 naming the holder" {
	dev=$(mkloop 16)
	mkdir -p "$VSS_RUN_DIR"
	( exec 9>>"$VSS_RUN_DIR/lock"; flock 9; echo "$BASHPID" >"$VSS_RUN_DIR/lock"; exec sleep 60 ) 3>&- 9>&- &
	holder=$!
	lock_held_by "$holder"
	start=$(date +%s%N)
	VSS_LOCK_TIMEOUT=1 refused 5 "vss: volume import: another vss (pid $holder) holds the lock $VSS_RUN_DIR/lock; gave up after 1.0 s" \
		volume import "$dev" "${PFX}a"
	waited=$(( ($(date +%s%N) - start) / 1000000 ))
	kill "$holder"
	[ "$waited" -ge 1000 ] || fail "gave up after $waited ms, before its 1 s"
}

@test "import: a lock released while waiting is taken" {
	dev=$(mkloop 16)
	mkdir -p "$VSS_RUN_DIR"
	# The holder lets go a second after vss says it waits, not after a time
	# counted from its start, which a loaded guest could use up before vss
	# even tries the lock. (The teardown's file stop ends it too.)
	err=$BATS_TEST_TMPDIR/import.err
	( exec 9>>"$VSS_RUN_DIR/lock"; flock 9; echo "$BASHPID" >"$VSS_RUN_DIR/lock"
	  until grep -qs "waiting for the lock" "$err" || [ -e "$BATS_TEST_TMPDIR/stop" ]; do sleep 0.1; done
	  sleep 1 ) 3>&- &
	holder=$!
	echo "$holder" >>"$BATS_TEST_TMPDIR/bg.pids"
	lock_held_by "$holder"
	st=0
	VSS_LOCK_TIMEOUT=60 "$VSS" -v volume import "$dev" "${PFX}a" >/dev/null 2>"$err" || st=$?
	stderr=$(cat "$err")
	[ "$st" = 0 ] || fail "volume import exited $st: $stderr"
	[[ $stderr == *"waiting for the lock $VSS_RUN_DIR/lock"* ]] || fail "it did not wait: $stderr"
	[ -b "/dev/mapper/${PFX}a" ]
}

@test "remove: a name that cannot be a volume's" {
	refused 2 "vss: volume remove: ../../etc/x: invalid volume name: contains '/': use only letters, digits and . _ + -" \
		volume remove ../../etc/x
}

@test "import: the record cannot be written: the device is removed again" {
	dev=$(mkloop 16)
	mnt=$BATS_TEST_TMPDIR/full
	mkdir "$mnt"
	# Room for the volumes directory, none for a file in it.
	# 0700: a state directory anyone may write (tmpfs is 1777) is refused.
	mount -t tmpfs -o size=64k,nr_inodes=2,mode=0700 tmpfs "$mnt"
	mkdir "$mnt/volumes"
	VSS_STATE_DIR=$mnt vss volume import "$dev" "${PFX}a"
	assert_equal "$status" 1
	[[ $stderr =~ ^"vss: volume import: $mnt/volumes/${PFX}a.conf.tmp."[0-9]+": No space left on device"$ ]] ||
		fail "unexpected message: $stderr"
	run dmsetup info "${PFX}a"
	assert_failure
	[ -z "$(ls "$mnt/volumes")" ]
}

@test "remove: a volume that is not managed, or does not exist" {
	refused 1 "vss: volume remove: ${PFX}none: no such managed volume" volume remove "${PFX}none"
	dev=$(mkloop 16)
	dmsetup create "${PFX}plain" --table "0 32768 linear $dev 0"
	settle
	refused 1 "vss: volume remove: ${PFX}plain: not a managed volume (vss did not import it)" \
		volume remove "${PFX}plain"
}

@test "remove: a mounted volume" {
	dev=$(mkloop 32)
	vss volume import "$dev" "${PFX}a"
	mkfs.ext4 -q "/dev/mapper/${PFX}a"
	mkdir "$BATS_TEST_TMPDIR/mnt"
	mount "/dev/mapper/${PFX}a" "$BATS_TEST_TMPDIR/mnt"
	refused 1 "vss: volume remove: ${PFX}a: is mounted on $BATS_TEST_TMPDIR/mnt; unmount it first" \
		volume remove "${PFX}a"
}

@test "remove: a volume held open" {
	dev=$(mkloop 16)
	vss volume import "$dev" "${PFX}a"
	settle
	exec 5<"/dev/mapper/${PFX}a"
	refused 1 "vss: volume remove: ${PFX}a: is in use (open 1 time)" volume remove "${PFX}a"
	exec 5<&-
}

@test "remove: a volume with shadows (its table is a snapshot-origin)" {
	dev=$(mkloop 16)
	vss volume import "$dev" "${PFX}a"
	settle
	# What the cow provider will do: the volume's table moves to a -real
	# device and the volume becomes its snapshot-origin.
	dmsetup create "${PFX}a-real" --table "$(dmsetup table "${PFX}a")"
	settle
	dmsetup suspend "${PFX}a"
	dmsetup reload "${PFX}a" --table "0 32768 snapshot-origin /dev/mapper/${PFX}a-real"
	dmsetup resume "${PFX}a"
	settle
	refused 1 "vss: volume remove: ${PFX}a: has shadows; delete its shadow copy sets first" \
		volume remove "${PFX}a"
}

@test "remove: a device of that name that vss did not make" {
	dev=$(mkloop 16) dev2=$(mkloop 16)
	vss volume import "$dev" "${PFX}a"
	dmsetup remove "${PFX}a"
	dmsetup create "${PFX}a" --uuid "OTHER-${PFX}" --table "0 32768 linear $dev2 0"
	settle
	refused 1 "vss: volume remove: ${PFX}a: the device of that name is not the one vss made (uuid OTHER-${PFX})" \
		volume remove "${PFX}a"
}

@test "list volumes: a path that is not a dm device, and one that does not exist" {
	dev=$(mkloop 16)
	refused 1 "vss: list volumes: $dev: not a device-mapper device (wrap it first: vss volume import $dev NAME)" \
		list volumes "$dev"
	refused 1 "vss: list volumes: ${PFX}none: no such volume" list volumes "${PFX}none"
	refused 1 "vss: list volumes: /dev/${PFX}none: no such block device" list volumes "/dev/${PFX}none"
}

@test "create-set: a label another set has: refused (exit 2) before anything is made, naming that set" {
	mkvol a 16
	mkvol b 16
	new_set --label first "${PFX}a"
	first=$SET
	refused 2 "vss: create-set: label 'first': already the label of set ${first:0:8}" \
		create-set --label first "${PFX}b"
	refused 2 "vss: create-set: label 'first': already the label of set ${first:0:8}" \
		create-set --label first "${PFX}a" "${PFX}b"
	# The label still names its one set.
	vss show first
	assert_success
	assert_line --index 0 --regexp "^Set: +$first\$"
	# Another label is no clash; once its set is gone, a label is free again.
	new_set --label second "${PFX}b"
	vss delete-set first
	assert_success
	new_set --label first "${PFX}b"
	vss show first
	assert_success
	assert_line --index 0 --regexp "^Set: +$SET\$"
}

@test "create-set --cow-size more than a shadow could ever use: refused (exit 2) with the numbers, nothing made; that most is made as given" {
	mkvol a 40
	mkvol b 64
	# All 40M of it with its COW's index (16 bytes a 4K chunk) and header:
	# 41128K, 40.16M, shown rounded down so that it may be given back.
	refused 2 "vss: create-set: ${PFX}a: a COW of 50G is more than it could ever use; give at most 40.1M (all 40M of it, with the COW's own index)" \
		create-set --cow-size 50G "${PFX}a"
	# One volume of the set too small for it is enough; it is named.
	refused 2 "vss: create-set: ${PFX}a: a COW of 48M is more than it could ever use; give at most 40.1M (all 40M of it, with the COW's own index)" \
		create-set --cow-size 48M "${PFX}b" "${PFX}a"
	# 16K chunks: a smaller index, a bigger header.
	refused 2 "vss: create-set: ${PFX}a: a COW of 41M is more than it could ever use; give at most 40M (all 40M of it, with the COW's own index)" \
		create-set --chunk-size 16K --cow-size 41M "${PFX}a"
	new_set --cow-size 40.1M "${PFX}a"
	# 40.1M, rounded up to whole 4K chunks.
	assert_equal "$(blockdev --getsize64 "/dev/mapper/vss-$SET8-${PFX}a-cow")" 42049536
	new_set --cow-size 100% "${PFX}b"
	assert_equal "$(blockdev --getsize64 "/dev/mapper/vss-$SET8-${PFX}b-cow")" $((64 << 20))
}

@test "vss.conf's cow_size more than a small volume's shadow could use: not a refusal; that volume gets all it can use, and a warning says so" {
	mkvol a 40
	mkvol b 64
	printf '[vss]\ncow_size = 48M\n' >"$BATS_TEST_TMPDIR/vss.conf"
	chmod 0644 "$BATS_TEST_TMPDIR/vss.conf"
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf
	new_set "${PFX}a" "${PFX}b"
	assert_equal "$stderr" "vss: warning: ${PFX}a: cow_size 48M is more than its shadow could ever use: it gets 40.1M (all 40M of it, with the COW's own index)"
	# All it could use (41128K: 40M, its index, its header), and the other
	# volume the size configured.
	assert_equal "$(blockdev --getsize64 "/dev/mapper/vss-$SET8-${PFX}a-cow")" $((41128 << 10))
	assert_equal "$(blockdev --getsize64 "/dev/mapper/vss-$SET8-${PFX}b-cow")" $((48 << 20))
	# Asked for on the command line, the same size is refused.
	refused 2 "vss: create-set: ${PFX}a: a COW of 48M is more than it could ever use; give at most 40.1M (all 40M of it, with the COW's own index)" \
		create-set --cow-size 48M "${PFX}a"
}
