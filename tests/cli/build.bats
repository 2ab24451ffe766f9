#!/usr/bin/env bats
# configure names the Debian package of each library it cannot find.

load ../lib/common

# configure_without PKG: runs configure with every pkg-config file but PKG's.
configure_without() {
	local pc=$BATS_TEST_TMPDIR/pc dir
	rm -rf "$pc" "$BATS_TEST_TMPDIR/build"
	mkdir -p "$pc"
	for dir in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
		[ -d "$dir" ] && find "$dir" -maxdepth 1 -name '*.pc' ! -name "$1.pc" -exec ln -sf {} "$pc/" \;
	done
	mkdir -p "$BATS_TEST_TMPDIR/build"
	cd "$BATS_TEST_TMPDIR/build"
	run env PKG_CONFIG_LIBDIR="$pc" "$VSS_SRCDIR/configure" -q </dev/null
}

@test "a missing library: configure fails naming the package to install" {
	[ -x "$VSS_SRCDIR/configure" ] || skip "no configure script (run ./autogen.sh)"
	command -v pkg-config >/dev/null || skip "pkg-config is not installed"
	while read -r pc package; do
		configure_without "$pc"
		assert_failure
		assert_line --partial "not found: install the Debian package $package (or run scripts/install-deps)"
	done <<-EOF
		devmapper libdevmapper-dev
		inih libinih-dev
		libedit libedit-dev
		ncursesw libncurses-dev
		smartcols libsmartcols-dev
		mount libmount-dev
		blkid libblkid-dev
		libudev libudev-dev
	EOF
}
