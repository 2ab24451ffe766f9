#!/usr/bin/env bats
# The man pages stay true to the code: vss(8) to the command table and exit
# codes, vss.conf(5) and the sample configuration to the keys the reader takes.

load ../lib/common

# The command words of the table, from `vss help` (words before the arguments).
table_commands() {
	"$VSS" help | awk '/^Commands:/ {on = 1; next} on && /^$/ {exit}
		on && /^  [^ ]/ { sub(/^  /, ""); sub(/  .*/, "")
			w = ""; for (i = 1; i <= NF; i++) { if ($i !~ /^[a-z-]+$/) break; w = w (w ? " " : "") $i } print w }'
}

# The commands documented as ".It Cm WORDS ..." in the COMMANDS section.
man_commands() {
	awk '/^\.Sh COMMANDS/ {on = 1; next} /^\.Sh / {on = 0}
		on && /^\.It Cm / { w = ""; for (i = 3; i <= NF; i++) { if ($i ~ /^(Ar|Op|Fl|Oo|Ns|Cm)$/ || $i !~ /^[a-z-]+$/) break; w = w (w ? " " : "") $i } print w }' \
		"$VSS_SRCDIR/man/vss.8"
}

@test "the command table is not empty" {
	run table_commands
	assert_success
	assert_line "volume import"
}

@test "every command of the table is documented in vss(8)" {
	missing=$(comm -23 <(table_commands | sort -u) <(man_commands | sort -u))
	assert_equal "$missing" ""
}

@test "every command documented in vss(8) exists" {
	extra=$(comm -13 <(table_commands | sort -u) <(man_commands | sort -u))
	assert_equal "$extra" ""
}

@test "vss(8) is valid mdoc" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -Tlint -Wwarning "$VSS_SRCDIR/man/vss.8"
	assert_success
	assert_output ""
}

@test "the exit codes of vss(8) are the code's (cmd/cmd.h), no more, no fewer" {
	code=$(sed -n 's/^[[:space:]]*VSS_EXIT_[A-Z]* = \([0-9]*\),.*/\1/p' "$VSS_SRCDIR/cmd/cmd.h" | sort -n)
	[ -n "$code" ] || fail "no VSS_EXIT_ values found in cmd/cmd.h"
	man=$(awk '/^\.Sh EXIT STATUS/ {on = 1; next} /^\.Sh / {on = 0}
		on && /^\.It / { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) { print $i; break } }' \
		"$VSS_SRCDIR/man/vss.8" | sort -n)
	assert_equal "$man" "$code"
}

@test "vss.conf(5) and vss-writer(7) are valid mdoc" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	for page in vss.conf.5 vss-writer.7; do
		run mandoc -Tlint -Wwarning "$VSS_SRCDIR/man/$page"
		assert_success
		assert_output ""
	done
}

# The keys the reader takes: the !strcmp(key, "...") of FILE under config/.
parser_keys() {
	local f
	for f in "$@"; do
		sed -n 's/.*!strcmp(key, "\([a-z_]*\)").*/\1/p' "$VSS_SRCDIR/config/$f"
	done | sort -u
}

# The keys vss.conf(5) documents as ".It Cm KEY" under the header line HEADER
# (".Ss ..." exactly), up to the next section or subsection.
documented_keys() {
	awk -v header="$1" '/^\.S[hs] / { on = $0 == header; next }
		on && /^\.It Cm / { print $3 }' "$VSS_SRCDIR/man/vss.conf.5" | sort -u
}

@test "every [vss] key the reader takes is in vss.conf(5), and no other" {
	code=$(parser_keys conffile.c policy.c)
	[ -n "$code" ] || fail "no keys found in config/conffile.c"
	[[ $code == *keep_monthly* ]] || fail "no keys found in config/policy.c"
	assert_equal "$(documented_keys '.Ss The [vss] section')" "$code"
}

@test "every [writer NAME] key the reader takes is in vss.conf(5), and no other" {
	code=$(parser_keys writers.c)
	[ -n "$code" ] || fail "no keys found in config/writers.c"
	assert_equal "$(documented_keys '.Ss Writer sections')" "$code"
}

@test "the sample configuration shows every key" {
	keys=$( (parser_keys conffile.c policy.c; parser_keys writers.c) | sort -u)
	sample=$(sed -n 's/^# \([a-z_]*\) = .*/\1/p' "$VSS_SRCDIR/config/vss.conf.sample" | sort -u)
	assert_equal "$sample" "$keys"
}

@test "the sample configuration passes check-config" {
	cp "$VSS_SRCDIR/config/vss.conf.sample" "$BATS_TEST_TMPDIR/vss.conf"
	chmod 0644 "$BATS_TEST_TMPDIR/vss.conf"
	vss -C "$BATS_TEST_TMPDIR/vss.conf" check-config
	assert_success
	assert_output "$BATS_TEST_TMPDIR/vss.conf: OK (0 writers)"
	assert_stderr ""
}

@test "every option of the table is in its command's help and on its vss(8) line" {
	local cmd opt words n=0
	while read -r cmd; do
		read -ra words <<<"$cmd"
		help=$("$VSS" help "${words[@]}")
		# Every ".It Cm CMD ..." line of it (delete-set has two), as one.
		line=$(awk -v c=".It Cm $cmd" '$0 == c || index($0, c " ") == 1 {printf "%s ", $0}' "$VSS_SRCDIR/man/vss.8")
		[ -n "$line" ] || fail "no .It Cm $cmd line in vss(8)"
		# The table's options, as completion offers them after "--".
		for opt in $("$VSS" __complete "${#words[@]}" "${words[@]}" --); do
			n=$((n + 1))
			[[ $help == *"$opt"* ]] || fail "$cmd: $opt is not in 'vss help $cmd'"
			[[ $line =~ (^|[ |])-?${opt#-}([ ]|$) ]] || fail "$cmd: $opt is not on its vss(8) line: $line"
		done
	done < <(table_commands)
	# create-set alone has seven: the loop did look.
	[ "$n" -ge 14 ] || fail "only $n options found"
}

# vsstui(8) and the dashboard: the key table (tui/keyhelp.c), the options (tui/main.c).

# The key strings of tui_keys[]: the first string of each { "...", "..." }.
table_keys() {
	awk '/tui_keys\[\] = \{/ {on = 1; next} on && /^};/ {exit}
		on && /^[[:space:]]*\{ "/ { s = $0; sub(/^[[:space:]]*\{ "/, "", s); sub(/", ".*/, "", s); print s }' \
		"$VSS_SRCDIR/tui/keyhelp.c"
}

# The items of the KEYS section of vsstui(8), each .It Ic "KEYS" as KEYS (quoted,
# so that mdoc keeps "," and "?" as they are; a key alone that mdoc would
# take for punctuation, ":", is written "\&:"); an item written any other
# way is printed as it is, and so matches no key.
man_keys() {
	awk '/^\.Sh KEYS/ {on = 1; next} /^\.Sh / {on = 0}
		on && /^\.It / { s = $0; if (sub(/^\.It Ic "/, "", s) && sub(/"$/, "", s)) { gsub(/\\&/, "", s); print s } else print $0 }' \
		"$VSS_SRCDIR/man/vsstui.8"
}

@test "the key table of tui/keyhelp.c is found" {
	run table_keys
	assert_success
	assert_line "F1, ?, h"
	assert_line "q, F10"
}

@test "every key of tui_keys[] is documented in vsstui(8), and no other" {
	[ "$(man_keys | wc -l)" -ge 10 ] || fail "too few .It items in KEYS of vsstui(8)"
	missing=$(comm -23 <(table_keys | sort -u) <(man_keys | sort -u))
	assert_equal "$missing" ""
	extra=$(comm -13 <(table_keys | sort -u) <(man_keys | sort -u))
	assert_equal "$extra" ""
}

@test "vsstui(8) is valid mdoc" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -Tlint -Wwarning "$VSS_SRCDIR/man/vsstui.8"
	assert_success
	assert_output ""
}

@test "every long option of vsstui is in the OPTIONS of vsstui(8), and no other" {
	code=$(awk '/struct option opts\[\] = \{/ {on = 1; next} on && /\};/ {exit}
		on && /\{ "/ { s = $0; sub(/^[^"]*"/, "", s); sub(/".*/, "", s); print s }' \
		"$VSS_SRCDIR/tui/main.c" | sort -u)
	[ -n "$code" ] || fail "no long options found in tui/main.c"
	[[ $code == *config* ]] || fail "the option array was not read: $code"
	man=$(awk '/^\.Sh OPTIONS/ {on = 1; next} /^\.Sh / {on = 0}
		on && /^\.It / { for (i = 2; i < NF; i++) if ($i == "Fl" && $(i + 1) ~ /^-[a-z]/) print substr($(i + 1), 2) }' \
		"$VSS_SRCDIR/man/vsstui.8" | sort -u)
	assert_equal "$man" "$code"
}
