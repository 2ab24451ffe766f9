# Helpers for the shadow copy set suites (sets, storage, expose, overflow).
# Loaded after lib: `load lib; load sets-lib`.
#
# vss names its own devices vss-<set8>-<volume>, vss-<set8>-<volume>-cow and
# vss-<volume>-real, so they do not begin with the run's prefix; they do
# contain it, since every volume a test makes is named ${PFX}<something>,
# and the harness's teardown removes every device whose name contains it.

UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'

# The harness's teardown (lib's harness_teardown) covers vss's devices and
# the background helpers of bg too.

# bg COMMAND...: runs COMMAND in the background (fd 3 closed, as bats needs),
# remembered so that teardown stops it. Its pid is in $BG.
bg() {
	"$@" 3>&- &
	BG=$!
	echo "$BG" >>"$BATS_TEST_TMPDIR/bg.pids"
}

# mkvol NAME MB: a loop device of MB MiB imported as volume ${PFX}NAME.
# Sets VOLDEV[NAME] (its /dev/mapper path) and BACKING[NAME] (the loop).
declare -gA VOLDEV BACKING
mkvol() {
	local dev
	dev=$(mkloop "$2")
	run --separate-stderr "$VSS" volume import "$dev" "${PFX}$1"
	[ "$status" = 0 ] || fail "volume import $dev ${PFX}$1: $stderr"
	settle
	VOLDEV[$1]=/dev/mapper/${PFX}$1
	BACKING[$1]=$dev
	[ -b "${VOLDEV[$1]}" ] || fail "no ${VOLDEV[$1]} after import"
}

# mkfs_mount NAME [FSTYPE]: a filesystem on volume NAME, mounted on
# $BATS_TEST_TMPDIR/mnt-NAME ($MNT[NAME]).
declare -gA MNT
mkfs_mount() {
	local fs=${2:-ext4}
	case $fs in
	ext4) mkfs.ext4 -q -F "${VOLDEV[$1]}" ;;
	xfs) mkfs.xfs -q -f "${VOLDEV[$1]}" ;;
	*) fail "mkfs_mount: $fs?" ;;
	esac
	MNT[$1]=$BATS_TEST_TMPDIR/mnt-$1
	mkdir -p "${MNT[$1]}"
	mount "${VOLDEV[$1]}" "${MNT[$1]}"
}

# dsum DEVICE: md5 of the whole device, read past every cache.
dsum() {
	dd if="$1" bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1
}

# dsum_head DEVICE MB: md5 of the first MB MiB of DEVICE, past every cache.
dsum_head() {
	dd if="$1" bs=1M count="$2" iflag=direct status=none | md5sum | cut -d' ' -f1
}

# tree_sum DIR: one md5 over every regular file's path and content under DIR
# (lost+found and the like left out).
tree_sum() {
	(cd "$1" && find . -path ./lost+found -prune -o -type f -print0 | sort -z | xargs -0r md5sum | md5sum | cut -d' ' -f1)
}

# fill_files DIR N: N files of random content (64K each) under DIR.
fill_files() {
	local i
	mkdir -p "$1/d"
	for i in $(seq "$2"); do
		head -c 65536 /dev/urandom >"$1/d/f$i"
	done
	echo "written before the set" >"$1/note"
	sync -f "$1"
}

# new_set ARGS...: `vss create-set ARGS`, which must succeed; the new set's
# id in $SET and its first 8 characters in $SET8.
new_set() {
	vss create-set "$@"
	[ "$status" = 0 ] || fail "create-set $* exited $status: $stderr"
	# (awk '$1 == "Set:" {print $2}', in the shell: a process fewer a set)
	local l
	SET=
	for l in "${lines[@]}"; do
		[[ $l =~ ^[[:space:]]*Set:[[:space:]]+([^[:space:]]+) ]] && SET+=${SET:+$'\n'}${BASH_REMATCH[1]}
	done
	[[ $SET =~ ^$UUID_RE$ ]] || fail "create-set printed no set id: $output"
	SET8=${SET:0:8}
}

# shadow SET VOLNAME: the shadow device's path.
shadow() {
	echo "/dev/mapper/vss-${1:0:8}-${PFX}$2"
}

# majmin DMNAME: major:minor of a dm device, as dm tables name devices.
majmin() {
	dmsetup info -c --noheadings -o major,minor --separator : "$1"
}

# majmin_of PATH: major:minor of any block device.
majmin_of() {
	printf '%d:%d' "0x$(stat -L -c %t "$1")" "0x$(stat -L -c %T "$1")"
}

# vss_devices_of VOLNAME: vss's own dm devices for volume ${PFX}VOLNAME.
vss_devices_of() {
	dmsetup info -c --noheadings -o name 2>/dev/null |
		awk -v v="${PFX}$1" '$1 ~ /^vss-/ && (index($1, "-" v "-") || substr($1, length($1) - length(v)) == "-" v)' || true
}

# set_ids: the ids of every set, from list sets --json, one a line.
set_ids() {
	run --separate-stderr "$VSS" list sets --json
	[ "$status" = 0 ] || fail "list sets --json exited $status: $stderr"
	jq -r '.sets[].id' <<<"$output" | sort
}

# kernel_state: what the kernel has of ours (dm devices, tables, loops, mounts).
kernel_state() {
	state_fingerprint kernel
}

# human_size BYTES: as vss prints sizes (engine/base/size.c).
human_size() {
	awk -v b="$1" 'BEGIN {
		split("B K M G T P E", u, " "); i = 1; w = b; r = 0
		while (w >= 1024 && i < 7) { r = w % 1024; w = int(w / 1024); i++ }
		t = int((r * 10 + 512) / 1024)
		if (t == 10) { w++; t = 0 }
		if (w >= 1024 && i < 7) { w = int(w / 1024); i++; t = 0 }
		if (t) printf "%d.%d%s\n", w, t, u[i]; else printf "%d%s\n", w, u[i]
	}'
}

# mount_ro DEVICE DIR: a read-only mount of a shadow, as expose would do it.
mount_ro() {
	local fs
	fs=$(blkid -p -o value -s TYPE "$1")
	mkdir -p "$2"
	case $fs in
	xfs) mount -t xfs -o ro,nouuid,norecovery "$1" "$2" ;;
	ext2 | ext3 | ext4) mount -t "$fs" -o ro,noload "$1" "$2" ;;
	*) mount -o ro "$1" "$2" ;;
	esac
}

# mount_opts DIR: the options of the mount on DIR.
mount_opts() {
	awk -v d="$1" '$2 == d {print $4}' /proc/mounts
}

# mount_src DIR: the device mounted on DIR, as /proc/mounts says.
mount_src() {
	awk -v d="$1" '$2 == d {print $1}' /proc/mounts
}

# show_json SET: `vss show SET --json` (the contract's order), which must
# succeed; the JSON in $output, warnings in $stderr.
show_json() {
	vss show "$1" --json
	[ "$status" = 0 ] || fail "show $1 --json exited $status: $stderr"
}

# fp: the harness's fingerprint, but the COW files of a directory storage
# area count by name and size only: their contents change whenever a
# mounted origin writes (its journal), which is the point of them.
fp() {
	state_fingerprint names-of-cow
}
