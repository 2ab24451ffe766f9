# bash completion for vss: vss itself says what may come next (the same
# command table and completion as its shell).

# The words up to the cursor as the shell will split them. bash cuts a
# word at every character of COMP_WORDBREAKS, ':' and '=' among them
# (/dev/disk/by-path/pci-0000:00:1f.2-ata-1 comes in five pieces): pieces
# with no blank between them are glued back. Sets words, cword and cur;
# without COMP_LINE, COMP_WORDS as they are.
_vss_words()
{
	local line=${COMP_LINE-} piece i
	if [[ -z ${COMP_LINE+set} ]]; then
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]}
		return
	fi
	line=${line:0:COMP_POINT}
	words=() cword=-1
	for ((i = 0; i <= COMP_CWORD; i++)); do
		piece=${COMP_WORDS[i]}
		if [[ $cword -lt 0 || $line == [[:space:]]* ]]; then
			cword=$((cword + 1))
			words[cword]=
		fi
		while [[ $line == [[:space:]]* ]]; do
			line=${line:1}
		done
		# The cursor may be inside the piece: only what comes before it.
		piece=${line:0:${#piece}}
		words[cword]+=$piece
		line=${line:${#piece}}
	done
	cur=${words[cword]}
}

_vss()
{
	local IFS=$'\n' words cword cur breaks=${COMP_WORDBREAKS//[^=:@]/}

	_vss_words
	COMPREPLY=($("${words[0]}" __complete "$((cword - 1))" "${words[@]:1}" 2>/dev/null))
	# bash replaces only what follows the word's last break character.
	if [[ -n ${COMP_LINE+set} && -n $breaks && $cur == *["$breaks"]* ]]; then
		local head=${cur%"${cur##*["$breaks"]}"}
		COMPREPLY=("${COMPREPLY[@]#"$head"}")
	fi
	# A directory goes on being completed; anything else ends the word.
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then
		compopt -o nospace 2>/dev/null
	fi
} &&
	complete -F _vss vss
