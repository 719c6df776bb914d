/* SPDX-License-Identifier: MIT */
/*
 * What the dispatcher benchmarks share (bench_dispatch.c, bench_path.c):
 * the reference device's register layout and access mix, handlers that
 * return stored values, and a backend that is a flat array for one
 * function.
 */
#ifndef PVHDEV_BENCH_COMMON_H
#define PVHDEV_BENCH_COMMON_H

#include <string.h>

#include <pvhdev/backend.h>
#include <pvhdev/pvhdev.h>

#define DEV PVHDEV_SBDF(0, 0, 3, 0)

static uint8_t hw[4096];

/* Loads and stores of a fixed size, so the backend costs a few
 * instructions, as a real one (an inl / outl) would. */
static int arr_read(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                    uint32_t *val)
{
	(void)ctx;
	if (sbdf != DEV) {
		*val = 0xffffffffu;
		return 0;
	}
	switch (size) {
	case 1: *val = hw[reg]; break;
	case 2: { uint16_t v; memcpy(&v, hw + reg, 2); *val = v; break; }
	default: { uint32_t v; memcpy(&v, hw + reg, 4); *val = v; break; }
	}
	return 0;
}

static int arr_write(void *ctx, pvhdev_sbdf_t sbdf, unsigned reg, unsigned size,
                     uint32_t val)
{
	(void)ctx;
	if (sbdf != DEV)
		return 0;
	switch (size) {
	case 1: hw[reg] = (uint8_t)val; break;
	case 2: { uint16_t v = (uint16_t)val; memcpy(hw + reg, &v, 2); break; }
	default: memcpy(hw + reg, &val, 4); break;
	}
	return 0;
}

static const struct pvhdev_backend_ops arr_ops = {
	.name = "array",
	.cfg_read = arr_read,
	.cfg_write = arr_write,
};

struct access {
	uint16_t off;
	uint8_t size;
};

/* The reference mix: a fixed pseudo-random sequence of aligned accesses
 * (50% 4-byte, 30% 2-byte, 20% 1-byte) at offsets 0x00-0x7f, the same
 * on every run. */
static void make_mix(struct access *a, size_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		unsigned r = (unsigned)(x % 10);
		a[i].size = r < 5 ? 4 : r < 8 ? 2 : 1;
		a[i].off = (uint16_t)((x >> 8) % 0x80) & (uint16_t)~(a[i].size - 1);
	}
}

#define MIX 4096

static enum pvhdev_verdict h_read(struct pvhdev_dev *dev,
                                  const struct pvhdev_reg *reg, uint32_t *val)
{
	(void)dev;
	*val = *(uint32_t *)reg->opaque;
	return PVHDEV_DONE;
}

static enum pvhdev_verdict h_write(struct pvhdev_dev *dev,
                                   const struct pvhdev_reg *reg, uint32_t val)
{
	(void)dev;
	*(uint32_t *)reg->opaque = val;
	return PVHDEV_DONE;
}

/* The reference device's 16 registers: command, status, 6 BARs, ROM,
 * capability pointer, 5 MSI registers, MSI-X control. */
static const struct { uint16_t off; uint8_t size; } layout16[16] = {
	{ 0x04, 2 }, { 0x06, 2 }, { 0x10, 4 }, { 0x14, 4 }, { 0x18, 4 },
	{ 0x1c, 4 }, { 0x20, 4 }, { 0x24, 4 }, { 0x30, 4 }, { 0x34, 1 },
	{ 0x52, 2 }, { 0x54, 4 }, { 0x58, 4 }, { 0x5c, 2 }, { 0x60, 4 },
	{ 0x72, 2 },
};

#endif
