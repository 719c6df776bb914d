# Plots of bench/run.sh's data files (gnuplot 5, Debian's gnuplot-nox).
#
#   gnuplot bench/plot.gp       build-bench/results/*.dat -> docs/perf-*.png
#   gnuplot -e "results='DIR'; out='DIR'" bench/plot.gp
#
# scale.dat: functions boot_cpu_s boot_wall_s maxrss_mib pvhdev_peak_mib
# p2m.dat:   ranges map_instr unmap_instr map_ns unmap_ns

if (!exists("results")) results = 'build-bench/results'
if (!exists("out")) out = 'docs'

set terminal pngcairo size 1100,450 font ",10"
set key top left
set grid
set logscale x 2
set xrange [180:92000]
set xtics ("256" 256, "1,024" 1024, "4,096" 4096, "16,384" 16384, "65,536" 65536)

# ---- Boot time and memory against platform size ----
set output out.'/perf-scale.png'
set multiplot layout 1,2 title "dom0 boot of a synthetic platform (bench/bench\\_scale.c): 6 BARs, MSI, 64-entry MSI-X per function; 8 IO-APICs"
set xlabel "PCI functions"
set logscale y 10
set ylabel "seconds"
set title "boot time"
plot results.'/scale.dat' using 1:2 with linespoints lw 2 pt 7 title "CPU time", \
     results.'/scale.dat' using 1:3 with linespoints lw 1 pt 6 dt 2 title "wall time", \
     1 with lines lw 1 lc rgb "red" dt 3 title "target at 65,536: 1 s"
set ylabel "MiB"
set title "peak memory"
plot results.'/scale.dat' using 1:4 with linespoints lw 2 pt 7 title "process peak RSS", \
     results.'/scale.dat' using 1:5 with linespoints lw 1 pt 6 dt 2 title "pvhdev's own allocations", \
     256 with lines lw 1 lc rgb "red" dt 3 title "target at 65,536: 256 MiB"
unset multiplot

# ---- p2m map / unmap against ranges already mapped ----
if (strstrt(system("test -s ".results."/p2m.dat && echo yes"), "yes") == 0) exit
set output out.'/perf-p2m.png'
set xtics auto
set autoscale x
set logscale x 10
set format x "10^{%L}"
set multiplot layout 1,2 title "p2m map and unmap of a 1-page range against ranges already in the p2m (bench/bench\\_p2m.c)"
set xlabel "ranges in the p2m"
unset logscale y
set ylabel "instructions (callgrind)"
set title "instructions: a straight line on a log axis is O(log n)"
plot results.'/p2m.dat' using 1:2 with linespoints lw 2 pt 7 title "map", \
     results.'/p2m.dat' using 1:3 with linespoints lw 2 pt 5 title "unmap"
set logscale y 10
set ylabel "ns (median, bench\\_p2m time)"
set title "time: grows faster once the tree leaves the caches"
plot results.'/p2m.dat' using 1:4 with linespoints lw 2 pt 7 title "map", \
     results.'/p2m.dat' using 1:5 with linespoints lw 2 pt 5 title "unmap"
unset multiplot
