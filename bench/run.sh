#!/usr/bin/env bash
# Runs every benchmark and prints each figure beside its target.
#
#   bash bench/run.sh          all of them (several minutes: callgrind is
#                              slow, and the p2m curve goes to 1,000,000
#                              ranges)
#
# Instruction counts come from callgrind (--toggle-collect on the entry
# point, so they include everything it calls: handlers, backend, event
# log), divided by the number of operations after subtracting a run
# with none, so setup never counts.  They repeat exactly on any x86-64
# machine with the same compiler (gcc 12, -O2).  Times are CPU time
# (thread or process), medians of several runs: wall time on a busy
# machine says more about the machine.
#
# Data files and plots go to build-bench/results/; `gnuplot bench/plot.gp`
# turns those data files into docs/perf-scale.png and docs/perf-p2m.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh gnuplot-nox
build=build-bench
res=$build/results
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release \
	"-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" -DPVHDEV_TESTS=OFF >/dev/null
# Only the benchmarks (and the libraries they link): someone's
# half-written tool must not stop the figures.
targets=()
for f in bench/bench_*.c; do
	targets+=("$(basename "$f" .c)")
done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null
mkdir -p "$res"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

have() { [[ -x $build/$1 ]]; }

# Instructions per operation: ir [-n|-w] "FN [FN...]" BIN ARGS... N
# (the program's last argument is the number of operations; with -w,
# the one before the last).  Without -n, a run with 0 operations is
# subtracted; -n skips it, for programs whose setup never enters FN and
# is slow under callgrind.
ir() {
	local base=1 at=1
	if [[ $1 == -n ]]; then
		base=0
		shift
	elif [[ $1 == -w ]]; then
		at=2
		shift
	fi
	local fns=$1 bin=$2
	shift 2
	local args=("$@") opts=() t0=0 t1
	local n=${args[${#args[@]}-at]}
	for f in $fns; do
		opts+=("--toggle-collect=$f")
	done
	if ((base)); then
		args[${#args[@]}-at]=0
		valgrind --tool=callgrind --callgrind-out-file="$tmp/cg0" "${opts[@]}" \
			"$build/$bin" "${args[@]}" >/dev/null 2>&1
		t0=$(awk '/^summary:/ { print $2 }' "$tmp/cg0")
	fi
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg1" "${opts[@]}" \
		"$build/$bin" "$@" >/dev/null 2>&1
	t1=$(awk '/^summary:/ { print $2 }' "$tmp/cg1")
	echo $(( (t1 - t0 + n / 2) / n ))
}

# "met" or "NOT met": verdict VALUE LIMIT (VALUE must stay below LIMIT;
# le: at most).
verdict() {
	awk -v v="$1" -v l="$2" -v op="${3:-lt}" \
		'BEGIN { ok = op == "le" ? v <= l : v < l; print ok ? "met" : "NOT met" }'
}

field() { # field NAME LINE
	sed -n "s/.*\b$1= *\([^ ]*\).*/\1/p" <<<"$2"
}

n=100000

echo "== 1. Dispatcher (bench_dispatch): one device, random aligned mix of"
echo "   50% 4-byte, 30% 2-byte, 20% 1-byte accesses at 0x00-0x7f"
echo "   instructions inside pvhdev_cfg_read / pvhdev_cfg_write per access"
echo "   target: <= 70 per read, <= 80 per write, flat in handlers and offset"
echo "   (Xen vPCI on the same mix, 16 handlers: 230 / 210)"
for h in 1 16 64; do
	r=$(ir pvhdev_cfg_read bench_dispatch count "$h" read "$n")
	w=$(ir pvhdev_cfg_write bench_dispatch count "$h" write "$n")
	echo "   handlers=$h  read=$r ($(verdict "$r" 70 le))  write=$w ($(verdict "$w" 80 le))"
done
echo "   the same mix on the fake backend (what tests, fuzzers and replays pay),"
echo "   16 handlers; target: <= 80 per read, <= 90 per write"
r=$(ir pvhdev_cfg_read bench_dispatch count-fake 16 read "$n")
w=$(ir pvhdev_cfg_write bench_dispatch count-fake 16 write "$n")
fr=$(ir fake_cfg_read bench_dispatch count-fake 16 read "$n")
fw=$(ir fake_cfg_write bench_dispatch count-fake 16 write "$n")
echo "   fake  read=$r ($(verdict "$r" 80 le))  write=$w ($(verdict "$w" 90 le))"
echo "   of which inside the fake's hooks, per access of the mix: read=$fr write=$fw"
echo "   one register, read again and again, 16 handlers (first, middle, last):"
for o in "0x04 2" "0x30 4" "0x72 2"; do
	set -- $o
	echo "   offset=$1 size=$2  read=$(ir pvhdev_cfg_read bench_dispatch offset 16 "$1" "$2" "$n")"
done
echo "   one access of each kind, 16 handlers (share of the mix: gap 55%,"
echo "   whole register 19%, part of a register 18%, split 8%):"
echo "   target: each at most Xen vPCI's same access (its figures, instructions"
echo "   per read / write), 0x04/4 at most 0.6 of Xen's (92 / 87)"
for o in "0x40 4 gap 241 228" "0x10 4 register - -" "0x12 2 part-of-register 131 149" \
	"0x04 4 two-registers 92 87" "0x34 4 register+gaps 294 277" "0x50 4 gap+register 296 271"; do
	set -- $o
	r=$(ir pvhdev_cfg_read bench_dispatch offset 16 "$1" "$2" "$n")
	w=$(ir -w pvhdev_cfg_write bench_dispatch offset 16 "$1" "$2" "$n" write)
	t=""
	[[ $4 != - ]] && t="  target $4 / $5: $(verdict "$r" "$4" le) / $(verdict "$w" "$5" le)"
	echo "   offset=$1 size=$2 ($3)  read=$r write=$w$t"
done
echo "   CPU time per access, median of 7 runs of 2,000,000, the 4,096-access mix cycled"
echo "   (a best case: the branch predictor learns it) and one 2,000,000-access mix that"
echo "   never repeats (reference: 16-18 ns)"
for h in 1 16 64; do
	echo "   $("$build"/bench_dispatch time "$h")"
done

echo
echo "== 2. Whole path (bench_path): the same device and mix, from the trap"
echo "   target: a CF8/CFC read (outl 0xcf8 + in 0xcfc) < 100 instructions,"
echo "   an ECAM read < 100, an MSI-X table write < 80"
cf8r=$(ir "pvhdev_pio_read pvhdev_pio_write" bench_path count cf8 read "$n")
cf8w=$(ir "pvhdev_pio_write" bench_path count cf8 write "$n")
ecr=$(ir pvhdev_mmio_read bench_path count ecam read "$n")
ecw=$(ir pvhdev_mmio_write bench_path count ecam write "$n")
echo "   CF8/CFC read, mix:  $cf8r ($(verdict "$cf8r" 100))   write (not a target): $cf8w"
echo "   ECAM read, mix:     $ecr ($(verdict "$ecr" 100))   write (not a target): $ecw"
echo "   one register (BAR0, a handler) / one gap (vendor and device ID, the hardware):"
echo "   CF8/CFC read:  $(ir "pvhdev_pio_read pvhdev_pio_write" bench_path one cf8 0x10 4 "$n")" \
	"/ $(ir "pvhdev_pio_read pvhdev_pio_write" bench_path one cf8 0x00 4 "$n")"
echo "   ECAM read:     $(ir pvhdev_mmio_read bench_path one ecam 0x10 4 "$n")" \
	"/ $(ir pvhdev_mmio_read bench_path one ecam 0x00 4 "$n")"
if have bench_msix; then
	mx=$(ir pvhdev_mmio_write bench_msix count write "$n")
	echo "   MSI-X table write (bench_msix, an entry's data dword): $mx ($(verdict "$mx" 80))"
	echo "   (not targets) table read (an entry's data dword): $(ir pvhdev_mmio_read bench_msix count read "$n")"
	echo "   mask or unmask of a bound entry: $(ir pvhdev_mmio_write bench_msix count mask 20000);" \
		"enabling MSI-X with 2048 entries to bind: $(ir -n bind_all_once bench_msix count bind 20)"
	echo "   $("$build"/bench_msix time)"
else
	echo "   MSI-X table write: bench/bench_msix.c is not there yet"
fi
echo "   CPU time per access, median of 7 runs of 2,000,000:"
echo "   $("$build"/bench_path time)"

echo
echo "== 3. Scale (bench_scale): dom0 boot of N functions (6 BARs, MSI,"
echo "   64-entry MSI-X each) and 8 IO-APICs (8 x 120 pins, GSIs 0-1015)"
echo "   target at 65,536 functions: < 1 s and < 256 MiB peak"
: >"$res/scale.dat"
echo "# functions boot_cpu_s boot_wall_s maxrss_mib pvhdev_peak_mib" >>"$res/scale.dat"
for f in 256 1024 4096 16384 65536; do
	line=$("$build"/bench_scale boot "$f" 3)
	cpu=$(field boot_cpu_s "$line")
	wall=$(field boot_wall_s "$line")
	rss=$(field maxrss_kib "$line")
	own=$(field pvhdev_peak_kib "$line")
	rss_mib=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
	own_mib=$(awk -v k="$own" 'BEGIN { printf "%.1f", k / 1024 }')
	echo "$f $cpu $wall $rss_mib $own_mib" >>"$res/scale.dat"
	printf "   functions=%-6s boot cpu=%-7s s (wall %s s)  peak RSS=%-6s MiB (pvhdev %s MiB)  %s\n" \
		"$f" "$cpu" "$wall" "$rss_mib" "$own_mib" \
		"$(field pvhdev_bytes_per_function "$line") bytes/function"
done
echo "   65,536 functions: time $(verdict "$cpu" 1), memory $(verdict "$rss_mib" 256)"
echo "   ECAM read of BAR0 on the 65,536-function platform (instructions):"
echo "   same function each time: $(ir -n pvhdev_mmio_read bench_scale access 65536 same 20000)," \
	"a different one each time: $(ir -n pvhdev_mmio_read bench_scale access 65536 spread 20000)"

echo
echo "== 4. p2m (bench_p2m): map and unmap against ranges already mapped"
echo "   target: O(log n) up to 1,000,000 ranges"
if have bench_p2m; then
	"$build"/bench_p2m time >"$tmp/p2m-time"
	echo "# ranges map_instr unmap_instr map_ns unmap_ns" >"$res/p2m.dat"
	for r in 10 100 1000 10000 100000 1000000; do
		m=$(ir -n bench_map bench_p2m count "$r" 1 20000)
		u=$(ir -n bench_unmap bench_p2m count "$r" 1 20000)
		t=$(grep -E "ranges=$r +map" "$tmp/p2m-time" || true)
		mn=$(field map_ns "$t")
		un=$(field unmap_ns "$t")
		echo "$r $m $u ${mn:-nan} ${un:-nan}" >>"$res/p2m.dat"
		printf "   ranges=%-8s map=%-5s unmap=%-5s instructions   map %s ns, unmap %s ns\n" \
			"$r" "$m" "$u" "${mn:-?}" "${un:-?}"
	done
	echo "   range size, 1,000 ranges mapped (instructions must not change):"
	for p in 1 16 256 4096 262144 4194304 16777216; do
		echo "   pages=$p  map=$(ir -n bench_map bench_p2m count 1000 "$p" 20000)"
	done
else
	echo "   bench/bench_p2m.c is not there yet"
fi

if have bench_trace; then
	echo
	echo "== Other: trace backend (bench_trace, no target)"
	"$build"/bench_trace 200000 | sed 's/^/   /'
fi

if command -v gnuplot >/dev/null; then
	gnuplot -e "results='$res'; out='$res'" bench/plot.gp
	echo
	echo "plots: $res/perf-scale.png $res/perf-p2m.png (gnuplot bench/plot.gp: into docs/)"
fi
