#!/usr/bin/env bash
# One source of truth for PCI header knowledge (issue 19): register
# offsets and bits are named in src/pci/regs.h, and the header facts
# (BARs and ROM per header type, BAR kinds, size bounds, the 48-hop
# capability walk, the size probe) live in src/pci/header.c.  This check
# fails, printing file:line and the rule, when code in src/ outside
# src/pci
#   - indexes config bytes with a number      cfg[0x0e], val[0x04]
#   - computes a BAR register by hand         0x10 + 4 * i
#   - reads or writes a header register by number
#                                             hw_cfg_read(.., 0x0e, 1, ..)
#   - decodes a BAR's type bits by hand       (lo & 6) == 4
#   - writes its own table of BARs/ROM per header type
#                                             { 6, 2, 1 }, hdr == 0 ? 6 : ...
#   - defines a header fact with a number     #define X_MAX32 0x80000000,
#                                             #define X_HOPS 48, #define PCI_X 0x04
# It is a grep over the known shapes, not a parser: keep new code in
# those shapes' named form (src/pci/regs.h, src/pci/header.h).
#   scripts/check-pci-facts.sh [DIR]   (default: the tree's src/)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-src}

rules=(
	'config byte by number|\b(cfg|val|init)\[0x[0-9a-fA-F]+\]'
	'config byte by number|src_byte\([^,]+, 0x[0-9a-fA-F]+\)'
	'BAR register by hand|\b0x1[04] *\+ *4 *\*'
	'header register by number|(cfg_read|cfg_write|hw_read|hw_write|cfg_dword|cfg32|src_dword)\([^;]*, 0x[0-3][0-9a-fA-F]\b[,)]'
	'BAR type bits by hand|& *(6|0x6)\) *[!=]= *(4|0x4)\b'
	'BARs per header type|\{ *6, *2(, *[01])? *\}|== *0 *\? *6 *:|\{ *0x30, *0x38'
	'header fact defined by number|#define +([A-Z0-9_]*(HOPS|MAX32|MAX64|MAX_SIZE|ROM_MIN|IO_MAX|IO_MIN|MEM_MIN)|[A-Z0-9_]+_NR_BARS) +\(?[0-9]'
	'register name defined by number|#define +PCI_[A-Z0-9_]+ +\(?[0-9]'
)

fail=0
for r in "${rules[@]}"; do
	what=${r%%|*}
	re=${r#*|}
	# Comments are prose: lines that start a comment or continue one.
	hits=$(grep -rnE --include='*.c' --include='*.h' "$re" "$dir" |
		grep -v "^$dir/pci/" |
		grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' || true)
	if [ -n "$hits" ]; then
		while IFS= read -r h; do
			echo "${h%%:*}:$(cut -d: -f2 <<<"$h"): $what (name it in src/pci): $(cut -d: -f3- <<<"$h" | sed 's/^[[:space:]]*//')"
		done <<<"$hits"
		fail=1
	fi
done
if [ $fail -ne 0 ]; then
	echo "check-pci-facts: PCI header facts outside src/pci (see docs/architecture.md, \"src/pci\")" >&2
	exit 1
fi
echo "check-pci-facts: ok" >&2
