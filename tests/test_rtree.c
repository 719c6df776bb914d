/* SPDX-License-Identifier: MIT */
/*
 * The range tree: overlap rules at every edge, ranges at the top of the
 * 64-bit space, ordered walks, removal of every node shape, a long
 * random run against a flat array model, and the depth of a big tree.
 * After each change a checker walks the raw node fields and verifies
 * the AVL invariants independently of the tree's own code.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define TOP UINT64_MAX

/* An owner with the node in its middle, as the library embeds it. */
struct item {
	uint32_t tag;
	struct pvhdev__rnode node;
	uint32_t in_tree; /* model: 1 while inserted */
};

/* ---- Invariant checker ---- */

struct walk {
	const struct pvhdev__rnode *prev; /* in-order predecessor */
	size_t count;
};

/* Returns the measured height of the subtree at n.  The depth bound
 * turns a degenerate tree into a failure instead of a stack overflow. */
static int check_node(const struct pvhdev__rnode *n,
                      const struct pvhdev__rnode *parent, int depth,
                      struct walk *w)
{
	int hl, hr;

	if (!n)
		return 0;
	assert_true(depth < 100);
	assert_ptr_equal(n->parent, parent);
	assert_true(n->start <= n->last);
	hl = check_node(n->left, n, depth + 1, w);
	if (w->prev)
		assert_true(w->prev->last < n->start); /* sorted, disjoint */
	w->prev = n;
	w->count++;
	hr = check_node(n->right, n, depth + 1, w);
	assert_int_equal(n->height, 1 + (hl > hr ? hl : hr));
	assert_true(hl - hr >= -1 && hl - hr <= 1);
	return n->height;
}

/* log2(v) to about 1e-9, without libm. */
static double log2_u64(uint64_t v)
{
	double x = (double)v, r = 0, bit = 0.5;

	while (x >= 2) {
		x /= 2;
		r += 1;
	}
	for (int i = 0; i < 32; i++, bit /= 2) {
		x *= x;
		if (x >= 2) {
			x /= 2;
			r += bit;
		}
	}
	return r;
}

/* Checks every invariant; returns the tree's height. */
static int check_tree(const struct pvhdev__rtree *t)
{
	struct walk w = { NULL, 0 };
	int h = check_node(t->root, NULL, 0, &w);

	assert_int_equal(w.count, t->count);
	/* An AVL tree of n nodes is under 1.4405 * log2(n + 2) tall. */
	assert_true(h <= 1.45 * log2_u64((uint64_t)t->count + 2));
	return h;
}

/* ---- Small helpers ---- */

static struct pvhdev__rnode *set(struct pvhdev__rnode *n, uint64_t start,
                                 uint64_t last)
{
	/* Garbage links: insert must not trust what the owner left there. */
	memset(n, 0xa5, sizeof(*n));
	n->start = start;
	n->last = last;
	return n;
}

static int ins(struct pvhdev__rtree *t, struct pvhdev__rnode *n,
               uint64_t start, uint64_t last)
{
	return pvhdev__rtree_insert(t, set(n, start, last));
}

/* Builds [k*10, k*10+4] for each k of keys, in the given order. */
static void build(struct pvhdev__rtree *t, struct pvhdev__rnode *nodes,
                  const unsigned *keys, size_t nr)
{
	pvhdev__rtree_init(t);
	for (size_t i = 0; i < nr; i++)
		assert_int_equal(ins(t, &nodes[keys[i]], keys[i] * 10,
		                     keys[i] * 10 + 4), 0);
	check_tree(t);
}

/* xorshift64*: deterministic, so a failure replays. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* ---- Cases ---- */

static void empty_tree(void **state)
{
	struct pvhdev__rtree t;

	(void)state;
	memset(&t, 0xa5, sizeof(t));
	pvhdev__rtree_init(&t);
	assert_null(t.root);
	assert_int_equal(t.count, 0);
	assert_null(pvhdev__rtree_find(&t, 0));
	assert_null(pvhdev__rtree_find(&t, TOP));
	assert_null(pvhdev__rtree_first_from(&t, 0));
	assert_null(pvhdev__rtree_first_from(&t, TOP));
	assert_null(pvhdev__rtree_first(&t));
	assert_int_equal(check_tree(&t), 0);
}

static void insert_find(void **state)
{
	struct pvhdev__rtree t;
	struct item it[3];
	struct pvhdev__rnode *n;

	(void)state;
	pvhdev__rtree_init(&t);
	for (unsigned i = 0; i < 3; i++) {
		it[i].tag = 100 + i;
		/* [0x1000, 0x1fff], [0x3000, 0x3fff], [0x5000, 0x5fff] */
		assert_int_equal(ins(&t, &it[i].node, 0x1000 + i * 0x2000,
		                     0x1fff + i * 0x2000), 0);
		assert_int_equal(t.count, i + 1);
		check_tree(&t);
	}
	assert_null(pvhdev__rtree_find(&t, 0));
	assert_null(pvhdev__rtree_find(&t, 0xfff));
	assert_ptr_equal(pvhdev__rtree_find(&t, 0x1000), &it[0].node);
	assert_ptr_equal(pvhdev__rtree_find(&t, 0x1800), &it[0].node);
	assert_ptr_equal(pvhdev__rtree_find(&t, 0x1fff), &it[0].node);
	assert_null(pvhdev__rtree_find(&t, 0x2000));
	assert_null(pvhdev__rtree_find(&t, 0x2fff));
	assert_ptr_equal(pvhdev__rtree_find(&t, 0x3000), &it[1].node);
	assert_ptr_equal(pvhdev__rtree_find(&t, 0x5fff), &it[2].node);
	assert_null(pvhdev__rtree_find(&t, 0x6000));
	assert_null(pvhdev__rtree_find(&t, TOP));

	n = pvhdev__rtree_find(&t, 0x3abc);
	assert_int_equal(PVHDEV__CONTAINER(n, struct item, node)->tag, 101);
}

static void insert_invalid(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode a, b, c;

	(void)state;
	pvhdev__rtree_init(&t);
	assert_int_equal(ins(&t, &a, 10, 9), -EINVAL);
	assert_int_equal(ins(&t, &a, TOP, 0), -EINVAL);
	assert_int_equal(t.count, 0);
	assert_null(t.root);

	/* A single point is a valid range, and -EINVAL wins over -EEXIST. */
	assert_int_equal(ins(&t, &b, 5, 5), 0);
	assert_int_equal(ins(&t, &c, 5, 4), -EINVAL);
	assert_int_equal(t.count, 1);
	assert_ptr_equal(pvhdev__rtree_find(&t, 5), &b);
	assert_null(pvhdev__rtree_find(&t, 4));
	assert_null(pvhdev__rtree_find(&t, 6));
	check_tree(&t);
}

/* A tree holding [100, 199] between two neighbours, for the edge cases. */
static void edge_tree(struct pvhdev__rtree *t, struct pvhdev__rnode n[3])
{
	pvhdev__rtree_init(t);
	assert_int_equal(ins(t, &n[0], 100, 199), 0);
	assert_int_equal(ins(t, &n[1], 10, 19), 0);
	assert_int_equal(ins(t, &n[2], 1000, 1999), 0);
}

/* Asserts [start, last] is refused and left the tree as it was. */
static void refused(struct pvhdev__rtree *t, uint64_t start, uint64_t last)
{
	struct pvhdev__rnode x;
	size_t count = t->count;

	assert_int_equal(ins(t, &x, start, last), -EEXIST);
	assert_int_equal(t->count, count);
	check_tree(t);
	for (struct pvhdev__rnode *n = pvhdev__rtree_first(t); n;
	     n = pvhdev__rtree_next(n))
		assert_ptr_not_equal(n, &x);
}

static void overlap_touching_start(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[3];

	(void)state;
	edge_tree(&t, n);
	refused(&t, 50, 100);  /* shares the first byte */
	refused(&t, 100, 100); /* is the first byte */
	refused(&t, 20, 100);  /* from just past the left neighbour */
}

static void overlap_touching_last(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[3];

	(void)state;
	edge_tree(&t, n);
	refused(&t, 199, 300);
	refused(&t, 199, 199);
	refused(&t, 199, 999); /* up to just before the right neighbour */
}

static void overlap_containing(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[3];

	(void)state;
	edge_tree(&t, n);
	refused(&t, 99, 200);
	refused(&t, 20, 999); /* fills the whole gap around it */
	refused(&t, 0, TOP);  /* everything */
	refused(&t, 0, 10);   /* ends on the left neighbour's first byte */
	refused(&t, 1999, TOP);
}

static void overlap_contained(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[3];

	(void)state;
	edge_tree(&t, n);
	refused(&t, 100, 199); /* identical */
	refused(&t, 101, 198);
	refused(&t, 150, 150);
	refused(&t, 100, 150);
	refused(&t, 150, 199);
}

/* The colliding node sits deep down, under nodes the range misses. */
static void overlap_deep(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[256];

	(void)state;
	pvhdev__rtree_init(&t);
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(ins(&t, &n[i], i * 100, i * 100 + 9), 0);
	assert_true(check_tree(&t) >= 9);
	for (unsigned i = 0; i < 256; i++) {
		uint64_t gap = i ? i * 100 - 90 : 0; /* after the left one */

		refused(&t, i * 100 + 9, i * 100 + 99); /* its last byte */
		refused(&t, gap, i * 100);              /* its first byte */
	}
	refused(&t, 25509, TOP);
}

static void adjacent_allowed(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode a, b, c, d;

	(void)state;
	pvhdev__rtree_init(&t);
	assert_int_equal(ins(&t, &a, 100, 199), 0);
	assert_int_equal(ins(&t, &b, 200, 299), 0); /* right after */
	assert_int_equal(ins(&t, &c, 0, 99), 0);    /* right before */
	assert_int_equal(ins(&t, &d, 300, 300), 0);
	assert_int_equal(t.count, 4);
	check_tree(&t);

	assert_ptr_equal(pvhdev__rtree_find(&t, 0), &c);
	assert_ptr_equal(pvhdev__rtree_find(&t, 99), &c);
	assert_ptr_equal(pvhdev__rtree_find(&t, 100), &a);
	assert_ptr_equal(pvhdev__rtree_find(&t, 199), &a);
	assert_ptr_equal(pvhdev__rtree_find(&t, 200), &b);
	assert_ptr_equal(pvhdev__rtree_find(&t, 299), &b);
	assert_ptr_equal(pvhdev__rtree_find(&t, 300), &d);
	assert_null(pvhdev__rtree_find(&t, 301));
	assert_ptr_equal(pvhdev__rtree_next(&c), &a);
	assert_ptr_equal(pvhdev__rtree_next(&a), &b);
	assert_ptr_equal(pvhdev__rtree_next(&b), &d);
	assert_null(pvhdev__rtree_next(&d));
}

static void top_of_space(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode a, b, c, all;

	(void)state;
	pvhdev__rtree_init(&t);
	assert_int_equal(ins(&t, &all, 0, TOP), 0); /* the whole space */
	assert_ptr_equal(pvhdev__rtree_find(&t, 0), &all);
	assert_ptr_equal(pvhdev__rtree_find(&t, TOP), &all);
	assert_ptr_equal(pvhdev__rtree_first_from(&t, TOP), &all);
	refused(&t, TOP, TOP);
	pvhdev__rtree_remove(&t, &all);

	assert_int_equal(ins(&t, &a, TOP, TOP), 0);
	assert_int_equal(ins(&t, &b, TOP - 4095, TOP - 1), 0);
	assert_int_equal(ins(&t, &c, 0, 0), 0);
	check_tree(&t);
	refused(&t, TOP - 1, TOP);
	refused(&t, TOP, TOP);
	refused(&t, 1, TOP);

	assert_ptr_equal(pvhdev__rtree_find(&t, TOP), &a);
	assert_ptr_equal(pvhdev__rtree_find(&t, TOP - 1), &b);
	assert_ptr_equal(pvhdev__rtree_find(&t, TOP - 4095), &b);
	assert_null(pvhdev__rtree_find(&t, TOP - 4096));
	assert_ptr_equal(pvhdev__rtree_first_from(&t, TOP), &a);
	assert_ptr_equal(pvhdev__rtree_first_from(&t, TOP - 1), &b);
	assert_ptr_equal(pvhdev__rtree_first_from(&t, 1), &b);
	assert_ptr_equal(pvhdev__rtree_first(&t), &c);
	assert_ptr_equal(pvhdev__rtree_next(&b), &a);
	assert_null(pvhdev__rtree_next(&a));
}

static void iterate_in_order(void **state)
{
	static const unsigned keys[] = { 9, 3, 14, 0, 7, 12, 1, 15, 5,
		                         11, 2, 8, 13, 6, 10, 4 };
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[16], *p;
	unsigned k = 0;

	(void)state;
	build(&t, n, keys, PVHDEV__ARRAY_SIZE(keys));
	for (p = pvhdev__rtree_first(&t); p; p = pvhdev__rtree_next(p))
		assert_ptr_equal(p, &n[k++]);
	assert_int_equal(k, 16);

	/* Inside a range, on its edges and in the gaps [k*10+5, k*10+9]. */
	assert_ptr_equal(pvhdev__rtree_first_from(&t, 0), &n[0]);
	assert_ptr_equal(pvhdev__rtree_first_from(&t, 4), &n[0]);
	assert_ptr_equal(pvhdev__rtree_first_from(&t, 5), &n[1]);
	assert_ptr_equal(pvhdev__rtree_first_from(&t, 9), &n[1]);
	assert_ptr_equal(pvhdev__rtree_first_from(&t, 72), &n[7]);
	assert_ptr_equal(pvhdev__rtree_first_from(&t, 154), &n[15]);
	assert_null(pvhdev__rtree_first_from(&t, 155));
	assert_null(pvhdev__rtree_first_from(&t, TOP));

	/* A window walk: every range meeting [33, 77], in order. */
	k = 3;
	for (p = pvhdev__rtree_first_from(&t, 33); p && p->start <= 77;
	     p = pvhdev__rtree_next(p))
		assert_ptr_equal(p, &n[k++]);
	assert_int_equal(k, 8);
}

/* around: the first node ending at or after a point, and the one
 * before it. */
static void around_neighbours(void **state)
{
	static const unsigned keys[] = { 9, 3, 14, 0, 7, 12, 1, 15, 5,
		                         11, 2, 8, 13, 6, 10, 4 };
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[16], *before;

	(void)state;
	pvhdev__rtree_init(&t);
	assert_null(pvhdev__rtree_around(&t, 5, &before));
	assert_null(before);
	build(&t, n, keys, PVHDEV__ARRAY_SIZE(keys));
	/* Node k is [k*10, k*10+4]. */
	assert_ptr_equal(pvhdev__rtree_around(&t, 0, &before), &n[0]);
	assert_null(before);
	for (unsigned k = 1; k < 16; k++) {
		assert_ptr_equal(pvhdev__rtree_around(&t, k * 10, &before), &n[k]);
		assert_ptr_equal(before, &n[k - 1]);
		assert_ptr_equal(pvhdev__rtree_around(&t, k * 10 - 3, &before), &n[k]);
		assert_ptr_equal(before, &n[k - 1]);
		assert_ptr_equal(pvhdev__rtree_around(&t, k * 10 + 4, &before), &n[k]);
		assert_ptr_equal(before, &n[k - 1]);
	}
	assert_null(pvhdev__rtree_around(&t, 155, &before));
	assert_ptr_equal(before, &n[15]);
	assert_null(pvhdev__rtree_around(&t, TOP, &before));
	assert_ptr_equal(before, &n[15]);
}

/* insert_at hangs a node between known neighbours, in any shape of
 * tree, and refuses what does not fit there. */
static void insert_at_neighbours(void **state)
{
	const size_t nr = 4000;
	struct pvhdev__rtree t;
	struct pvhdev__rnode *n = calloc(nr + 1, sizeof(*n)), x;
	uint64_t seed = 42;

	(void)state;
	assert_non_null(n);
	pvhdev__rtree_init(&t);
	/* Node i is [i*10, i*10+4]; insert in random order, each between
	 * the neighbours a lookup finds, as the p2m does. */
	for (size_t i = 0; i < nr; i++)
		n[i].height = 0; /* not in the tree */
	for (size_t done = 0; done < nr;) {
		size_t i = (size_t)(rnd(&seed) % nr);
		if (n[i].height)
			continue;
		set(&n[i], i * 10, i * 10 + 4);
		struct pvhdev__rnode *prev, *next = pvhdev__rtree_around(&t, i * 10, &prev);
		assert_int_equal(pvhdev__rtree_insert_at(&t, &n[i], prev, next), 0);
		done++;
		if (done % 500 == 0)
			check_tree(&t);
	}
	check_tree(&t);
	/* Overlapping a neighbour, or reversed. */
	struct pvhdev__rnode *a = &n[10], *b = &n[11];
	assert_int_equal(pvhdev__rtree_insert_at(&t, set(&x, 104, 106), a, b), -EEXIST);
	assert_int_equal(pvhdev__rtree_insert_at(&t, set(&x, 106, 110), a, b), -EEXIST);
	assert_int_equal(pvhdev__rtree_insert_at(&t, set(&x, 107, 105), a, b), -EINVAL);
	/* No neighbours in a tree that has nodes. */
	assert_int_equal(pvhdev__rtree_insert_at(&t, set(&x, 105, 109), NULL, NULL),
	                 -EEXIST);
	check_tree(&t);
	/* The gap itself fits. */
	assert_int_equal(pvhdev__rtree_insert_at(&t, set(&x, 105, 109), a, b), 0);
	assert_ptr_equal(pvhdev__rtree_next(a), &x);
	assert_ptr_equal(pvhdev__rtree_next(&x), b);
	check_tree(&t);
	free(n);
}

/* 4, 2, 6, 1, 3, 5, 7 in that order make a perfect tree rooted at 4. */
static const unsigned perfect[] = { 4, 2, 6, 1, 3, 5, 7 };

static void remove_leaf(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[8];

	(void)state;
	build(&t, n, perfect, PVHDEV__ARRAY_SIZE(perfect));
	assert_ptr_equal(t.root, &n[4]);
	pvhdev__rtree_remove(&t, &n[1]);
	assert_null(n[2].left);
	assert_ptr_equal(n[2].right, &n[3]);
	assert_null(pvhdev__rtree_find(&t, 12));
	assert_int_equal(t.count, 6);
	check_tree(&t);

	/* Emptying one side forces a rotation at the root. */
	pvhdev__rtree_remove(&t, &n[3]);
	pvhdev__rtree_remove(&t, &n[2]);
	check_tree(&t);
	assert_ptr_equal(t.root, &n[6]);
	assert_ptr_equal(n[6].left, &n[4]);
	assert_ptr_equal(n[4].right, &n[5]);
	assert_int_equal(t.count, 4);
}

static void remove_inner(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[8];

	(void)state;
	build(&t, n, perfect, PVHDEV__ARRAY_SIZE(perfect));
	/* Two children, successor a leaf right below: 3 takes 2's place. */
	pvhdev__rtree_remove(&t, &n[2]);
	check_tree(&t);
	assert_ptr_equal(n[4].left, &n[3]);
	assert_ptr_equal(n[3].left, &n[1]);
	assert_null(n[3].right);
	assert_null(pvhdev__rtree_find(&t, 22));
	assert_ptr_equal(pvhdev__rtree_find(&t, 32), &n[3]);

	/* One child: 1 moves up into 3's place. */
	pvhdev__rtree_remove(&t, &n[3]);
	check_tree(&t);
	assert_ptr_equal(n[4].left, &n[1]);
	assert_ptr_equal(n[1].parent, &n[4]);
	assert_int_equal(t.count, 5);

	/* The removed nodes can go back in. */
	assert_int_equal(ins(&t, &n[2], 20, 24), 0);
	assert_int_equal(ins(&t, &n[3], 30, 34), 0);
	check_tree(&t);
	assert_int_equal(t.count, 7);
}

static void remove_root(void **state)
{
	struct pvhdev__rtree t;
	struct pvhdev__rnode n[8];

	(void)state;
	build(&t, n, perfect, PVHDEV__ARRAY_SIZE(perfect));
	/* The successor 5 sits below the root's right child. */
	pvhdev__rtree_remove(&t, &n[4]);
	check_tree(&t);
	assert_ptr_equal(t.root, &n[5]);
	assert_null(n[5].parent);
	assert_ptr_equal(n[5].right, &n[6]);
	assert_null(n[6].left);

	/* Now the successor 6 is the root's right child itself. */
	pvhdev__rtree_remove(&t, &n[5]);
	check_tree(&t);
	assert_ptr_equal(t.root, &n[6]);
	assert_ptr_equal(n[6].left, &n[2]);
	assert_ptr_equal(n[6].right, &n[7]);

	/* Down to nothing, root each time. */
	while (t.root)
		pvhdev__rtree_remove(&t, t.root);
	assert_int_equal(t.count, 0);
	assert_null(pvhdev__rtree_first(&t));

	/* A lone root, then a root with one child. */
	assert_int_equal(ins(&t, &n[0], 0, 0), 0);
	pvhdev__rtree_remove(&t, &n[0]);
	assert_null(t.root);
	assert_int_equal(ins(&t, &n[0], 0, 0), 0);
	assert_int_equal(ins(&t, &n[1], 1, 1), 0);
	pvhdev__rtree_remove(&t, &n[0]);
	assert_ptr_equal(t.root, &n[1]);
	assert_null(n[1].parent);
	check_tree(&t);
}

/* ---- Random operations against an array model ---- */

#define POOL 512
#define SPAN 65536 /* model points; the top half sits at the top of 2^64 */

/* Monotonic, so overlap in model points is overlap in addresses. */
static uint64_t addr_of(uint64_t p)
{
	return p < SPAN / 2 ? p : TOP - (SPAN - 1) + p;
}

static int model_overlaps(const struct item *pool, uint64_t start,
                          uint64_t last)
{
	for (unsigned i = 0; i < POOL; i++)
		if (pool[i].in_tree && pool[i].node.start <= last &&
		    start <= pool[i].node.last)
			return 1;
	return 0;
}

/* The model's answer to first_from: lowest start among last >= point. */
static struct pvhdev__rnode *model_first_from(struct item *pool, uint64_t point)
{
	struct pvhdev__rnode *best = NULL;

	for (unsigned i = 0; i < POOL; i++) {
		struct pvhdev__rnode *n = &pool[i].node;

		if (pool[i].in_tree && n->last >= point &&
		    (!best || n->start < best->start))
			best = n;
	}
	return best;
}

static void random_insert(struct pvhdev__rtree *t, struct item *pool,
                          size_t *count, uint64_t *seed)
{
	struct item *it = &pool[rnd(seed) % POOL];
	uint64_t p = rnd(seed) % SPAN, len = 1 + rnd(seed) % 64;
	uint64_t end = p + len > SPAN ? SPAN - 1 : p + len - 1;
	uint64_t start = addr_of(p), last = addr_of(end);
	int want, rc;

	if (it->in_tree)
		return;
	if (rnd(seed) % 32 == 0) { /* now and then a backwards range */
		uint64_t tmp = start;

		start = last;
		last = tmp;
	}
	want = last < start ? -EINVAL :
	       model_overlaps(pool, start, last) ? -EEXIST : 0;
	rc = ins(t, &it->node, start, last);
	assert_int_equal(rc, want);
	if (rc == 0) {
		it->in_tree = 1;
		(*count)++;
	}
}

static void random_query(struct pvhdev__rtree *t, struct item *pool,
                         uint64_t *seed)
{
	struct item *it = &pool[rnd(seed) % POOL];
	uint64_t point = addr_of(rnd(seed) % SPAN);
	struct pvhdev__rnode *want;

	/* Half the time probe the edges of a range, where bugs live. */
	if (it->in_tree && rnd(seed) % 2) {
		static const int delta[] = { -1, 0, 1 };
		int d = delta[rnd(seed) % 3];

		point = rnd(seed) % 2 ? it->node.start + (uint64_t)d :
		                        it->node.last + (uint64_t)d;
	}
	want = model_first_from(pool, point);
	assert_ptr_equal(pvhdev__rtree_first_from(t, point), want);
	if (!want || want->start > point)
		want = NULL;
	assert_ptr_equal(pvhdev__rtree_find(t, point), want);
}

static void random_vs_model(void **state)
{
	struct pvhdev__rtree t;
	struct item *pool = calloc(POOL, sizeof(*pool));
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	size_t count = 0, peak = 0;

	(void)state;
	assert_non_null(pool);
	pvhdev__rtree_init(&t);
	for (unsigned op = 0; op < 20000; op++) {
		/* Grow for the first half, then shrink, so removals see big
		 * trees as well as small ones. */
		unsigned grow = op < 10000 ? 6 : 1, kind = rnd(&seed) % 10;
		struct item *it = &pool[rnd(&seed) % POOL];

		if (kind < grow) {
			random_insert(&t, pool, &count, &seed);
		} else if (kind < 8 && it->in_tree) {
			pvhdev__rtree_remove(&t, &it->node);
			it->in_tree = 0;
			count--;
		} else {
			random_query(&t, pool, &seed);
		}
		assert_int_equal(t.count, count);
		check_tree(&t);
		peak = count > peak ? count : peak;
	}
	/* The tree grew big enough to matter, then shrank most of the way. */
	assert_true(peak > 300);
	assert_true(count < peak / 3);
	free(pool);
}

/* ---- Depth ---- */

static void depth_million_sequential(void **state)
{
	const size_t nr = 1000000;
	struct pvhdev__rtree t;
	struct pvhdev__rnode *n = calloc(nr, sizeof(*n));
	int h;

	(void)state;
	assert_non_null(n);
	pvhdev__rtree_init(&t);
	/* Ascending inserts are the worst case for an unbalanced tree. */
	for (size_t i = 0; i < nr; i++)
		assert_int_equal(ins(&t, &n[i], i * 4096, i * 4096 + 4095), 0);
	h = check_tree(&t);
	print_message("1000000 sequential inserts: height %d (bound %.2f)\n",
	              h, 1.45 * log2_u64(nr + 2));
	assert_ptr_equal(pvhdev__rtree_find(&t, 123456 * 4096 + 7), &n[123456]);

	/* Removing every other node keeps the tree within bounds. */
	for (size_t i = 0; i < nr; i += 2)
		pvhdev__rtree_remove(&t, &n[i]);
	h = check_tree(&t);
	print_message("after removing half: height %d\n", h);
	assert_null(pvhdev__rtree_find(&t, 123456 * 4096 + 7));
	free(n);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(empty_tree),
	cmocka_unit_test(insert_find),
	cmocka_unit_test(insert_invalid),
	cmocka_unit_test(overlap_touching_start),
	cmocka_unit_test(overlap_touching_last),
	cmocka_unit_test(overlap_containing),
	cmocka_unit_test(overlap_contained),
	cmocka_unit_test(overlap_deep),
	cmocka_unit_test(adjacent_allowed),
	cmocka_unit_test(top_of_space),
	cmocka_unit_test(iterate_in_order),
	cmocka_unit_test(around_neighbours),
	cmocka_unit_test(insert_at_neighbours),
	cmocka_unit_test(remove_leaf),
	cmocka_unit_test(remove_inner),
	cmocka_unit_test(remove_root),
	cmocka_unit_test(random_vs_model),
	cmocka_unit_test(depth_million_sequential),
};

PVHDEV_TEST_MAIN("rtree", tests)
