/* SPDX-License-Identifier: MIT */
/*
 * The reference dispatcher: config-space accesses carried out the plain
 * way, as Xen's vpci_read/vpci_write do them, from what pvhdev.h and
 * docs/architecture.md promise, for the differential harness
 * (fuzz_dispatch) to hold the fast dispatcher (src/cfgspace/regs.c)
 * against.  Built only into tests and fuzzers, never into the library.
 *
 * It walks the device's registers for every byte (no index, no cache),
 * reaches the hardware only through pvhdev_dev_hw_read/write (which log
 * like the dispatcher's own pass-through) and calls each handler once
 * per register and access, as the contract says.
 */
#ifndef PVHDEV_REF_DISPATCH_H
#define PVHDEV_REF_DISPATCH_H

#include <pvhdev/pvhdev.h>

/* pvhdev_cfg_read/write's contract for a device the domain knows:
 * -ENODEV for one it does not (the reference reaches the hardware only
 * through a device). */
int ref_cfg_read(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned off,
                 unsigned size, uint32_t *val);
int ref_cfg_write(struct pvhdev_domain *dom, pvhdev_sbdf_t sbdf, unsigned off,
                  unsigned size, uint32_t val);

#endif
