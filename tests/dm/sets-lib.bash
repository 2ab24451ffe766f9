# Helpers for the shadow copy set suites (sets, storage, expose, overflow).
# Loaded after lib: `load lib; load sets-lib`.
#
# vss names its own devices vss-<set8>-<volume>, vss-<set8>-<volume>-cow and
# vss-<volume>-real, so they do not begin with the run's prefix as the
# harness's teardown expects; they do contain it, since every volume a test
# makes is named ${PFX}<something>. sets_teardown removes those too.

UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'

# The harness's teardown, under another name, so that ours can run first.
eval "$(declare -f teardown | sed '1s/^teardown/lib_teardown/')"

teardown() {
	sets_teardown
	lib_teardown
}

# Names of the dm devices whose name contains the run's prefix.
pfx_devices() {
	dmsetup info -c --noheadings -o name 2>/dev/null | grep -F -- "$PFX" || true
}

# Unmounts everything mounted under DIR, deepest first; busy ones stay.
umount_under() {
	local m
	for m in $(awk -v p="$1/" 'index($2 "/", p) == 1 {print $2}' /proc/mounts | sort -r); do
		umount "$m" 2>/dev/null || true
	done
}

# Removes every unopened dm device of ours, again and again until none goes.
remove_pfx_devices() {
	local pass d gone
	for pass in 1 2 3 4 5 6 7 8; do
		gone=0
		for d in $(dmsetup info -c --noheadings -o name,open 2>/dev/null |
			awk -F: -v p="$PFX" 'index($1, p) && $2 == 0 {print $1}' | sort -r); do
			dmsetup remove "$d" >/dev/null 2>&1 && gone=1
		done
		[ "$gone" = 1 ] || break
	done
}

sets_teardown() {
	local p d l
	# Background helpers (writers, sleepers) first: they hold files open.
	if [ -e "$BATS_TEST_TMPDIR/bg.pids" ]; then
		touch "$BATS_TEST_TMPDIR/stop"
		while read -r p; do kill "$p" 2>/dev/null || true; done <"$BATS_TEST_TMPDIR/bg.pids"
		while read -r p; do wait "$p" 2>/dev/null || true; done <"$BATS_TEST_TMPDIR/bg.pids"
	fi
	# Nothing of ours may stay suspended (vss-*-real too, not only ${PFX}*).
	for d in $(dmsetup info -c --noheadings -o name,attr 2>/dev/null |
		awk -F: -v p="$PFX" 'index($1, p) && $2 ~ /^..s/ {print $1}'); do
		dmsetup resume "$d" || true
	done
	# vss's own way out first: it knows its sets (exposed ones included).
	if [ -d "${VSS_STATE_DIR:-/nonexistent}" ]; then
		timeout 120 "$VSS" delete-set --all --force >/dev/null 2>&1 || true
	fi
	# Whatever is left: shadows mounted by hand or by expose, shadows, COW
	# slices, -real layers; then loops (storage files may live on a volume's
	# filesystem, which only unmounts once they are detached); then again.
	[ -n "${VSS_RUN_DIR:-}" ] && umount_under "$VSS_RUN_DIR"
	for d in $(awk '$1 ~ "^/dev/mapper/vss-" {print $2}' /proc/mounts | grep -F -- "$BATS_TEST_TMPDIR" | sort -r); do
		umount "$d" 2>/dev/null || true
	done
	umount_under "$BATS_TEST_TMPDIR"
	remove_pfx_devices
	for l in $(losetup -l -n -O NAME,BACK-FILE 2>/dev/null | awk -v p="$BATS_TEST_TMPDIR/" 'index($2, p) == 1 {print $1}'); do
		losetup -d "$l" 2>/dev/null || true
	done
	umount_under "$BATS_TEST_TMPDIR"
	remove_pfx_devices
}

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
	SET=$(awk '$1 == "Set:" {print $2}' <<<"$output")
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
	dmsetup info -c --noheadings -o name,uuid,attr 2>/dev/null | sort
	dmsetup table 2>/dev/null | sort
	losetup -a | sort
	grep -E '^/dev/(mapper|loop|dm-)' /proc/mounts | sort || true
}

# human_size BYTES: as vss prints sizes (engine/size.c).
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
	dmsetup info -c --noheadings -o name,uuid,attr 2>/dev/null | sort
	dmsetup table 2>/dev/null | sort
	(cd "$VSS_STATE_DIR" 2>/dev/null &&
		find . -type f ! -name '*.cow' -print0 | sort -z | xargs -0r md5sum &&
		find . -type f -name '*.cow' -printf '%p %s\n' | sort)
	losetup -a | sort
	grep -E '^/dev/(mapper|loop|dm-)' /proc/mounts | sort || true
}
