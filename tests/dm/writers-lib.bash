# Helpers for suites that run writers (writers, script): the fake writer
# (tests/dm/writers/fake-writer), a vss.conf, and what the writers logged.
# Loaded after lib and sets-lib.

# A mounted ext4 volume 'a', the fake writer installed as root's 0755 file
# under $W (vss refuses programs anyone else could change), its log in FW_LOG.
wsetup() {
	mkvol a 24
	mkfs_mount a
	W=$BATS_TEST_TMPDIR/w
	mkdir -p "$W"
	export FW_LOG=$BATS_TEST_TMPDIR/fw.log
	install -m 0755 "$VSS_SRCDIR/tests/dm/writers/fake-writer" "$W/fake-writer"
}

# writer NAME: the fake writer under the name NAME (it logs that name).
writer() {
	ln -sf "$W/fake-writer" "$W/$1"
	echo "$W/$1"
}

# conf LINE...: vss.conf of those lines, used by every vss from now on.
conf() {
	printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/vss.conf"
	chmod 0644 "$BATS_TEST_TMPDIR/vss.conf"
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf
}

# events NAME: the events writer NAME logged, space-separated.
events() {
	awk -v n="$1" '$1 == n {printf "%s%s", sep, $2; sep = " "}' "$FW_LOG" 2>/dev/null
}

# wfp: the fingerprint, less the writers' history (which a failure updates).
wfp() {
	fp | grep -v 'writers\.conf'
}

# not_frozen: a write to the origin's filesystem goes through at once. (On
# a frozen one it would block for good: the timeout only ends the wait,
# and is long enough for a write and a sync in a loaded guest.)
not_frozen() {
	timeout 60 sh -c "echo probe >'${MNT[a]}/probe' && sync -f '${MNT[a]}/probe'" ||
		fail "the filesystem on ${PFX}a is still frozen"
	[ -z "$(dmsetup info -c --noheadings -o name,attr | awk -F: '$2 ~ /^..s/')" ] ||
		fail "a device is still suspended: $(dmsetup info -c --noheadings -o name,attr)"
}
