#!/usr/bin/env bash
# Compiles (does not run) pvhdev in the configurations CI does not test
# otherwise, every one with -DPVHDEV_WERROR=ON, so that a warning only an
# optimiser or another compiler shows fails here and not in a user's build:
#   gcc-release     gcc -O3 (Release), tests and tools included
#   gcc-minsizerel  gcc -Os (MinSizeRel)
#   clang-release   clang -O3
#   hypervisor      the core alone (PVHDEV_HOST=OFF) as a hypervisor
#                   compiles it: -mcmodel=kernel -mno-red-zone
#                   -mgeneral-regs-only -fno-pie -fno-stack-protector, no
#                   PIC; objdump then checks that libpvhdev_core.a uses no
#                   vector register and has no GOT relocation
#   hypervisor-clang  the same with clang
# One build tree per configuration, build-matrix-NAME; one line per
# configuration; the compiler's output of a failed one stays in
# build-matrix-NAME/build.log.  scripts/test.sh runs it.
#   scripts/build-matrix.sh [NAME...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
hv_flags="-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-pie -fno-stack-protector"

config() { # NAME -> CC and cmake arguments, one per line
	case $1 in
	gcc-release) printf '%s\n' gcc -DCMAKE_BUILD_TYPE=Release ;;
	gcc-minsizerel) printf '%s\n' gcc -DCMAKE_BUILD_TYPE=MinSizeRel ;;
	clang-release) printf '%s\n' clang -DCMAKE_BUILD_TYPE=Release ;;
	hypervisor | hypervisor-clang)
		# Nothing links with these flags: try_compile builds archives.
		local cc=gcc
		[ "$1" = hypervisor-clang ] && cc=clang
		printf '%s\n' "$cc" -DCMAKE_BUILD_TYPE=Release -DPVHDEV_HOST=OFF \
			-DCMAKE_POSITION_INDEPENDENT_CODE=OFF \
			-DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY \
			"-DCMAKE_C_FLAGS=$hv_flags" ;;
	*) return 1 ;;
	esac
}

# What a hypervisor cannot take from the core: vector registers (its
# context switch does not save them) and GOT relocations (no GOT).
check_hypervisor() { # ARCHIVE -> prints what is wrong, fails if anything
	local lib=$1 vec got
	if ! nm "$lib" | grep ' T pvhdev_domain_new$' >/dev/null; then
		echo "$lib: no pvhdev_domain_new: not the core?"
		return 1
	fi
	vec=$(objdump -d "$lib" | grep -cE '%[xyz]mm[0-9]' || true)
	got=$(objdump -r "$lib" | grep -cE 'R_X86_64_(GOT|REX_GOTPCRELX)' || true)
	if [ "$vec" -ne 0 ] || [ "$got" -ne 0 ]; then
		echo "$lib: $vec instructions on vector registers, $got GOT relocations:"
		objdump -d "$lib" | grep -E '%[xyz]mm[0-9]' | head -5
		objdump -r "$lib" | grep -E 'R_X86_64_(GOT|REX_GOTPCRELX)' | head -5
		return 1
	fi
}

build() { # NAME
	local name=$1 dir=build-matrix-$1 start=$SECONDS cc
	local -a args
	mapfile -t args < <(config "$name")
	cc=${args[0]}
	args=("${args[@]:1}")
	mkdir -p "$dir"
	if ! CC=$cc cmake -S . -B "$dir" -DPVHDEV_WERROR=ON -DPVHDEV_BENCH=OFF \
		"${args[@]}" >"$dir/build.log" 2>&1; then
		echo "$name: configure FAILED (see $dir/build.log)"
		return 1
	fi
	if [[ $name == hypervisor* ]]; then
		cmake --build "$dir" -j"$jobs" --target pvhdev_core >>"$dir/build.log" 2>&1 &&
			check_hypervisor "$dir/libpvhdev_core.a" >>"$dir/build.log" 2>&1 || {
			echo "$name: FAILED (see $dir/build.log)"
			grep -E 'error|vector|GOT' "$dir/build.log" | head -n 10
			return 1
		}
		echo "$name: ok, libpvhdev_core.a without vector registers or GOT" \
			"relocations ($((SECONDS - start))s)"
		return 0
	fi
	if ! cmake --build "$dir" -j"$jobs" >>"$dir/build.log" 2>&1; then
		echo "$name: FAILED (see $dir/build.log)"
		grep -E 'error' "$dir/build.log" | head -n 10
		return 1
	fi
	echo "$name: ok ($((SECONDS - start))s)"
}

names=("$@")
[ ${#names[@]} -eq 0 ] && names=(gcc-release gcc-minsizerel clang-release hypervisor hypervisor-clang)
fail=0
for n in "${names[@]}"; do
	if ! config "$n" >/dev/null; then
		echo "build-matrix: unknown configuration '$n'" >&2
		exit 2
	fi
	build "$n" || fail=1
done
exit $fail
