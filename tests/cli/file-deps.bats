#!/usr/bin/env bats
# scripts/file-deps on a fake build tree of four tiny C files whose calls are
# known: a loop of two engine files, each other file one floor up, and
# automake's object names (a dash in a file's own name too). Builds nothing
# of vss.

load ../lib/common

setup() {
	FILE_DEPS=$VSS_SRCDIR/scripts/file-deps
	S=$BATS_TEST_TMPDIR/src B=$BATS_TEST_TMPDIR/build
	mkdir -p "$S" "$B"
	# as automake writes it for a build next to its sources
	printf 'top_srcdir = ../src\n' >"$B/Makefile"
}

# unit SRC OBJ CODE: writes SRC in the sources, compiles it to OBJ in the build.
unit() {
	mkdir -p "$S/${1%/*}" "$B/${2%/*}"
	printf '%s\n' "$3" >"$S/$1"
	cc -c -o "$B/$2" "$S/$1"
}

# The loop engine/set-make.c <-> engine/ring.c; under it engine/base.c,
# above it tui/keys.c, then cli/main.c: four floors.
four_floors() {
	unit engine/base.c engine/libvss_a-base.o 'int base_count; void base(void) { base_count++; }'
	unit engine/ring.c engine/libvss_a-ring.o 'extern int base_count; void base(void); void set_make_x(void);
void ring(void) { if (base_count) set_make_x(); base(); }'
	unit engine/set-make.c engine/libvss_a-set-make.o 'void ring(void);
void set_make_x(void) {}
void set_make(void) { ring(); }'
	unit tui/keys.c tui/vss-keys.o 'void set_make(void); void tui_keys(void) { set_make(); }'
	unit cli/main.c cli/vss-main.o 'void tui_keys(void); int main(void) { tui_keys(); return 0; }'
}

@test "file-deps: the loops, the calls between cli/ and tui/, the floors and a deepest chain" {
	four_floors
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_success
	assert_stderr ""
	assert_output - <<-EOF
		files: 5 (engine/ 3, cli/ 1, tui/ 1, config/ 0), dependencies between them: 5
		loops among all files:
		loop (2 files): engine/ring.c engine/set-make.c
		loops among engine/ files:
		loop (2 files): engine/ring.c engine/set-make.c
		loops among tui/ files: none
		loops between cli/ and tui/: none
		calls from cli/ to tui/ (1): cli/main.c -> tui/keys.c
		calls from tui/ to cli/ (0): none
		floors: 4
		deepest chain: cli/main.c -> tui/keys.c -> [engine/set-make.c .. engine/ring.c, loop of 2 files] -> engine/base.c
	EOF
}

@test "file-deps -g: each file and what it depends on" {
	four_floors
	run --separate-stderr "$FILE_DEPS" -g "$B"
	assert_success
	assert_equal "${lines[0]}" "cli/main.c: tui/keys.c"
	assert_equal "${lines[1]}" "engine/base.c:"
	assert_equal "${lines[2]}" "engine/ring.c: engine/base.c engine/set-make.c"
	assert_equal "${lines[3]}" "engine/set-make.c: engine/ring.c"
	assert_equal "${lines[4]}" "tui/keys.c: engine/set-make.c"
	assert_equal "${lines[5]}" "files: 5 (engine/ 3, cli/ 1, tui/ 1, config/ 0), dependencies between them: 5"
}

@test "file-deps: a loop between cli/ and tui/, and one among tui/ files" {
	unit cli/main.c cli/vss-main.o 'void tui_main(void); void cli_hint(void) {} int main(void) { tui_main(); return 0; }'
	unit tui/main.c tui/vss-main.o 'void cli_hint(void); void tui_keys(void); void tui_main(void) { cli_hint(); tui_keys(); }'
	unit tui/keys.c tui/vss-keys.o 'void tui_main(void); void tui_keys(void) { tui_main(); }'
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_success
	assert_line "loops among engine/ files: none"
	assert_line "loops among tui/ files:"
	assert_line "loop (2 files): tui/keys.c tui/main.c"
	assert_line "loops between cli/ and tui/:"
	assert_line "loop (3 files): cli/main.c tui/keys.c tui/main.c"
	assert_line "calls from tui/ to cli/ (1): tui/main.c -> cli/main.c"
	assert_line "floors: 1"
	assert_line "deepest chain: [cli/main.c, loop of 3 files]"
}

@test "file-deps: objects of tests/ and of gone files are left out, the latter named" {
	four_floors
	unit tests/unit/test-base.c tests/unit/test-base.o 'void base(void); int main(void) { base(); return 0; }'
	unit engine/gone.c engine/libvss_a-gone.o 'void base(void); void gone(void) { base(); }'
	rm "$S/engine/gone.c"
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_success
	assert_stderr "file-deps: engine/libvss_a-gone.o: no C file for it in $S (a stale object? left out)"
	assert_line "files: 5 (engine/ 3, cli/ 1, tui/ 1, config/ 0), dependencies between them: 5"
	assert_line "floors: 4"
}

@test "file-deps: usage errors and nothing to measure exit 2 with one line" {
	run --separate-stderr "$FILE_DEPS"
	assert_failure 2
	assert_stderr "usage: scripts/file-deps [-g] BUILD_DIR"
	run --separate-stderr "$FILE_DEPS" "$B" "$B"
	assert_failure 2
	assert_stderr "usage: scripts/file-deps [-g] BUILD_DIR"
	run --separate-stderr "$FILE_DEPS" -x "$B"
	assert_failure 2
	assert_stderr "file-deps: -x: no such option (usage: scripts/file-deps [-g] BUILD_DIR)"
	run --separate-stderr "$FILE_DEPS" "$BATS_TEST_TMPDIR/nope"
	assert_failure 2
	assert_stderr "file-deps: $BATS_TEST_TMPDIR/nope: no such build directory"
	run --separate-stderr "$FILE_DEPS" "$B/Makefile"
	assert_failure 2
	assert_stderr "file-deps: $B/Makefile: not a directory"
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_failure 2
	assert_stderr "file-deps: $B: no object files in engine/ cli/ tui/ config/ or at its top (not built?)"
	assert_output ""
}
