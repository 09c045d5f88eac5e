#!/usr/bin/env bash
# Print one line naming the machine a benchmark runs on: CPU model, cores, kernel, whether it
# is a virtual machine, and the kernel's speculative-execution mitigations that tax every
# system call and context switch. The benches' figures move with these more than with most
# changes to prax (docs/performance.md has the same benches on two kinds of machine), so each
# bench prints this line beside its numbers.
set -euo pipefail

model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
kind="bare metal"
grep -qw hypervisor /proc/cpuinfo 2>/dev/null && kind="virtual machine"
costly=()
for name in meltdown spectre_v2 retbleed spec_rstack_overflow mds; do
  file=/sys/devices/system/cpu/vulnerabilities/$name
  [ -r "$file" ] || continue
  state=$(cut -d';' -f1 "$file")
  case "$state" in
    "Not affected" | "") ;;
    *) costly+=("$name: ${state#Mitigation: }") ;;
  esac
done
mitigations="none"
[ ${#costly[@]} -gt 0 ] && mitigations=$(printf '%s; ' "${costly[@]}") && mitigations=${mitigations%; }
echo "machine: ${model:-unknown CPU}, $(nproc) cores, Linux $(uname -r), $kind; mitigations: $mitigations"
