/*
 * blank.c - an empty DSO, the baseline of the start-up benchmark: what
 * LD_PRELOAD costs by itself (open, map, relocate one object), so that
 * the ratio shows what faultline adds on top.
 */
int fl_bench_blank;
